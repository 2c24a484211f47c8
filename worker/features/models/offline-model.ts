/**
 * The offline provider (`offline:<anything>`): a real LanguageModelV4 that needs no
 * keys, so Edgewise is usable with no model provider configured. It never pretends
 * to think: it says no provider is configured, lists the tools it was given, and
 * runs `/tool_name {json}` as a tool call; after tool results it reports them.
 * Token counts are estimates (≈ chars/4) so budgets and usage work offline too.
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FunctionTool,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4ToolResultPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { describeCommand, parseCommand } from "./offline-command";

/** How much of a tool result the offline reply quotes. */
const MAX_RESULT_CHARS = 1_500;
/** Characters per streamed delta: enough deltas that clients see a real stream. */
const DELTA_CHARS = 24;

/** A rough token count (≈ 4 characters a token), for budgets and usage where no tokenizer runs. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

type Answer = { kind: "text"; text: string } | { kind: "tool-call"; toolName: string; input: string };

export function createOfflineModel(modelId: string): LanguageModelV4 {
  return {
    specificationVersion: "v4",
    provider: "offline",
    modelId,
    supportedUrls: {},
    async doGenerate(options) {
      options.abortSignal?.throwIfAborted();
      const answer = answerFor(options);
      return {
        content: [toContent(answer)],
        finishReason: finishOf(answer),
        usage: usageOf(options.prompt, answer),
        warnings: [],
      } satisfies LanguageModelV4GenerateResult;
    },
    async doStream(options) {
      options.abortSignal?.throwIfAborted();
      const answer = answerFor(options);
      const parts = streamParts(answer, usageOf(options.prompt, answer));
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        pull(controller) {
          const next = parts.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      return { stream };
    },
  };
}

function answerFor(options: LanguageModelV4CallOptions): Answer {
  const tools = (options.tools ?? []).filter((tool): tool is LanguageModelV4FunctionTool => tool.type === "function");
  const last = options.prompt.at(-1);
  if (last?.role === "tool") return { kind: "text", text: reportResults(last.content) };
  const command = parseCommand(latestUserText(options.prompt));
  if (!command) return { kind: "text", text: introduction(tools) };
  const tool = tools.find((candidate) => candidate.name === command.name);
  if (!tool || options.toolChoice?.type === "none")
    return { kind: "text", text: `There is no tool called \`${command.name}\` here.\n\n${toolList(tools)}` };
  if (!command.ok) return { kind: "text", text: `I couldn't run \`/${command.name}\`: ${command.error}` };
  return { kind: "tool-call", toolName: tool.name, input: JSON.stringify(command.input) };
}

function latestUserText(prompt: LanguageModelV4Prompt): string {
  const message = prompt.findLast((candidate) => candidate.role === "user");
  if (message?.role !== "user") return "";
  return message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

function introduction(tools: LanguageModelV4FunctionTool[]): string {
  return [
    "No model provider is configured for this agent, so you are talking to Edgewise's offline assistant. " +
      "I can't understand or write free text; I can only run tools for you.",
    toolList(tools),
    "To get real answers, add a model provider (Workers AI, an OpenAI-compatible server, OpenAI, Anthropic or " +
      "Google) and set the agent's model to `provider:model`.",
  ].join("\n\n");
}

function toolList(tools: LanguageModelV4FunctionTool[]): string {
  if (tools.length === 0) return "This agent has no tools enabled.";
  const lines = tools.map((tool) => `- \`/${tool.name}\` ${describeCommand(tool)}`);
  return [
    "Run a tool by typing `/tool_name {json input}`:",
    ...lines,
    `For example: \`/${tools[0]!.name} ${exampleInput(tools[0]!)}\``,
  ].join("\n");
}

function exampleInput(tool: LanguageModelV4FunctionTool): string {
  const schema = tool.inputSchema as { properties?: Record<string, { type?: unknown }>; required?: string[] };
  const names = schema.required?.length ? schema.required : Object.keys(schema.properties ?? {}).slice(0, 2);
  const sample: Record<string, unknown> = {};
  for (const name of names) {
    const type = schema.properties?.[name]?.type;
    sample[name] = type === "number" || type === "integer" ? 1 : type === "boolean" ? true : "…";
  }
  return JSON.stringify(sample);
}

function reportResults(parts: Array<{ type: string }>): string {
  const results = parts.filter((part): part is LanguageModelV4ToolResultPart => part.type === "tool-result");
  if (results.length === 0) return "The tool step finished without results.";
  return results.map(describeResult).join("\n\n");
}

function describeResult(part: LanguageModelV4ToolResultPart): string {
  const { output } = part;
  switch (output.type) {
    case "text":
      return `\`${part.toolName}\` returned:\n${quote(output.value)}`;
    case "json":
      return `\`${part.toolName}\` returned:\n${quote(JSON.stringify(output.value, null, 2), "json")}`;
    case "error-text":
      return `\`${part.toolName}\` failed: ${truncate(output.value)}`;
    case "error-json":
      return `\`${part.toolName}\` failed:\n${quote(JSON.stringify(output.value, null, 2), "json")}`;
    case "execution-denied":
      return `\`${part.toolName}\` was not run${output.reason ? `: ${output.reason}` : "."}`;
    case "content": {
      const text = output.value.map((item) => (item.type === "text" ? item.text : `[${item.type}]`)).join("\n");
      return `\`${part.toolName}\` returned:\n${quote(text)}`;
    }
  }
}

function quote(text: string, language = ""): string {
  return `\`\`\`${language}\n${truncate(text)}\n\`\`\``;
}

function truncate(text: string): string {
  if (text.length <= MAX_RESULT_CHARS) return text;
  return `${text.slice(0, MAX_RESULT_CHARS)}\n… (${text.length - MAX_RESULT_CHARS} more characters)`;
}

function toContent(answer: Answer): LanguageModelV4Content {
  return answer.kind === "text"
    ? { type: "text", text: answer.text }
    : { type: "tool-call", toolCallId: newCallId(), toolName: answer.toolName, input: answer.input };
}

function finishOf(answer: Answer) {
  return answer.kind === "text"
    ? { unified: "stop" as const, raw: "stop" }
    : { unified: "tool-calls" as const, raw: "tool-calls" };
}

function usageOf(prompt: LanguageModelV4Prompt, answer: Answer): LanguageModelV4Usage {
  const input = estimateTokens(JSON.stringify(prompt));
  const output = estimateTokens(answer.kind === "text" ? answer.text : answer.input);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function streamParts(answer: Answer, usage: LanguageModelV4Usage): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [{ type: "stream-start", warnings: [] }];
  if (answer.kind === "text") {
    parts.push({ type: "text-start", id: "0" });
    for (let at = 0; at < answer.text.length; at += DELTA_CHARS)
      parts.push({ type: "text-delta", id: "0", delta: answer.text.slice(at, at + DELTA_CHARS) });
    parts.push({ type: "text-end", id: "0" });
  } else {
    const id = newCallId();
    parts.push(
      { type: "tool-input-start", id, toolName: answer.toolName },
      { type: "tool-input-delta", id, delta: answer.input },
      { type: "tool-input-end", id },
      { type: "tool-call", toolCallId: id, toolName: answer.toolName, input: answer.input },
    );
  }
  parts.push({ type: "finish", usage, finishReason: finishOf(answer) });
  return parts;
}

const newCallId = () => `offline_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
