/**
 * "Model call with tools": one AI SDK `streamText` call per step. Tools are
 * declared from their descriptors (`jsonSchema`) without `execute`, so the model's
 * calls come back to the pipeline, which runs them itself (approvals, timeouts,
 * records). The agent's model chain falls back only while nothing was streamed:
 * once a client has seen text from one model, another must not start over.
 */
import { jsonSchema, streamText, type ToolSet, tool } from "ai";
import { withModelFallback } from "../../../worker/features/chat-sessions/deps";
import type { ResolvedModel } from "../../../worker/features/models/contract";
import { MODEL_MAX_RETRIES, ModelFallbackError } from "../../../worker/features/models/fallback";
import type { ToolDescriptor } from "../../../worker/features/tools/contract";
import { DeltaCoalescer } from "../event-log";
import type { ToolCallRecord } from "../message-store";
import type { BuiltContext } from "./context";
import { TurnFailure, type TurnRun } from "./host";
import { estimateTokens, priceOf } from "./spend";

export function toToolSet(descriptors: readonly ToolDescriptor[]): ToolSet {
  return Object.fromEntries(
    descriptors.map((d) => [
      d.name,
      tool({ description: d.description, inputSchema: jsonSchema(d.inputSchema as Parameters<typeof jsonSchema>[0]) }),
    ]),
  );
}

/** What the step has streamed so far; the runner persists it if the turn is cancelled mid-step. */
export type StepProgress = { messageId: string | null; text: string };

export type ModelStepResult = {
  text: string;
  toolCalls: ToolCallRecord[];
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  model: ResolvedModel;
  /** An error after output had started: the step keeps what it streamed and the turn fails. */
  failure: string | null;
};

class NothingStreamed extends Error {
  override name = "NothingStreamed";
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runModelStep(
  run: TurnRun,
  context: BuiltContext,
  tools: ToolSet | undefined,
  progress: StepProgress & { messageId: string },
): Promise<ModelStepResult> {
  const step = run.checkpoint.step;
  try {
    return await withModelFallback(run.models, (model) => attempt(run, model, context, tools, progress, step));
  } catch (error) {
    if (run.signal.aborted) throw run.signal.reason;
    const cause = error instanceof NothingStreamed && error.cause !== undefined ? error.cause : error;
    const failures = error instanceof ModelFallbackError ? error.failures : undefined;
    throw new TurnFailure("model_error", `No model of the agent's chain answered: ${describe(cause)}`, {
      models: run.models.map((m) => m.spec),
      ...(failures ? { failures } : {}),
    });
  }
}

async function attempt(
  run: TurnRun,
  model: ResolvedModel,
  context: BuiltContext,
  tools: ToolSet | undefined,
  progress: StepProgress & { messageId: string },
  step: number,
): Promise<ModelStepResult> {
  const coalescer = new DeltaCoalescer((text) =>
    run.host.emit(run.id, "text.delta", { message_id: progress.messageId, step, text }),
  );
  const toolCalls: ToolCallRecord[] = [];
  let usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } = {};
  let failure: string | null = null;
  const result = streamText({
    model: model.model,
    instructions: context.system,
    messages: context.messages,
    ...(tools && Object.keys(tools).length ? { tools } : {}),
    maxOutputTokens: run.settings.maxOutputTokens,
    ...(run.settings.temperature === undefined ? {} : { temperature: run.settings.temperature }),
    abortSignal: run.signal,
    maxRetries: MODEL_MAX_RETRIES,
    onError: () => {},
  });
  try {
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        progress.text += part.text;
        coalescer.push(part.text);
      } else if (part.type === "tool-call") {
        toolCalls.push({ call_id: part.toolCallId, name: part.toolName, input: part.input });
      } else if (part.type === "finish-step") {
        usage = part.usage;
      } else if (part.type === "error") {
        if (!progress.text && toolCalls.length === 0)
          throw new NothingStreamed(describe(part.error), { cause: part.error });
        failure = describe(part.error);
      }
    }
  } finally {
    coalescer.flush();
  }
  if (run.signal.aborted) throw run.signal.reason;
  const inputTokens = usage.inputTokens ?? estimateTokens(context.promptChars);
  const outputTokens = usage.outputTokens ?? estimateTokens(progress.text.length + JSON.stringify(toolCalls).length);
  return {
    text: progress.text,
    toolCalls,
    inputTokens,
    outputTokens,
    costMicros: priceOf(model.price, inputTokens, outputTokens),
    model,
    failure,
  };
}
