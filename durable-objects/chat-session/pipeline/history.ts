/**
 * Stored messages → AI SDK model messages. Long texts are clipped to what the
 * context budget allows (the stored message stays whole), and a tool call left
 * without a result (a cancelled turn) gets one, so providers accept the history.
 */
import type { ModelMessage, ToolResultPart } from "ai";
import type { StoredMessage, ToolResultRecord } from "../message-store";

export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[… ${text.length - maxChars} more characters not shown]`;
}

export function toolOutput(result: ToolResultRecord, maxChars: number): ToolResultPart["output"] {
  if (result.status === "rejected") {
    const why = result.error?.message ?? "";
    return { type: "execution-denied", reason: `Rejected by the user${why ? `: ${why}` : ""}` };
  }
  if (result.status === "succeeded" || result.status === "cached") {
    const json = JSON.stringify(result.output ?? null);
    if (json.length <= maxChars) return { type: "json", value: JSON.parse(json) };
    return { type: "text", value: clip(json, maxChars) };
  }
  return {
    type: "error-json",
    value: { status: result.status, code: result.error?.code ?? result.status, message: result.error?.message ?? "" },
  };
}

function userText(message: StoredMessage, maxChars: number): string {
  const lines = message.attachments.map(
    (a) =>
      `[Attachment: ${a.name} (${a.content_type})${a.url ? ` ${a.url}` : ""}${a.file_id ? ` file ${a.file_id}` : ""}]`,
  );
  return [clip(message.content, maxChars), ...lines].join("\n");
}

const notRun = (calls: Map<string, string>): ModelMessage => ({
  role: "tool",
  content: [...calls].map(([toolCallId, toolName]) => ({
    type: "tool-result" as const,
    toolCallId,
    toolName,
    output: { type: "error-text" as const, value: "Not run: the turn ended before this call" },
  })),
});

function assistantMessage(message: StoredMessage, maxChars: number): ModelMessage | null {
  const text = message.content ? [{ type: "text" as const, text: clip(message.content, maxChars) }] : [];
  const calls = message.toolCalls.map((c) => ({
    type: "tool-call" as const,
    toolCallId: c.call_id,
    toolName: c.name,
    input: c.input,
  }));
  return text.length || calls.length ? { role: "assistant", content: [...text, ...calls] } : null;
}

/**
 * Model messages for `history` (oldest first); each text is at most `maxChars`.
 * A call whose results never came (a cancelled turn) gets a "not run" result
 * right after the results that did, so the model always sees call → result.
 */
export function toModelMessages(history: StoredMessage[], maxChars: number): ModelMessage[] {
  const out: ModelMessage[] = [];
  let open = new Map<string, string>();
  const close = () => {
    if (open.size) out.push(notRun(open));
    open = new Map();
  };
  for (const message of history) {
    if (message.role === "tool") {
      for (const r of message.toolResults) open.delete(r.call_id);
      out.push({
        role: "tool",
        content: message.toolResults.map((r) => ({
          type: "tool-result" as const,
          toolCallId: r.call_id,
          toolName: r.name,
          output: toolOutput(r, maxChars),
        })),
      });
      continue;
    }
    close();
    if (message.role === "user") out.push({ role: "user", content: userText(message, maxChars) });
    if (message.role !== "assistant") continue;
    const assistant = assistantMessage(message, maxChars);
    if (assistant) out.push(assistant);
    open = new Map(message.toolCalls.map((c) => [c.call_id, c.name]));
  }
  close();
  return out;
}

/** Drops leading messages that cannot open a history: tool results whose call is cut off. */
export function trimLeading(history: StoredMessage[]): StoredMessage[] {
  const first = history.findIndex((m) => m.role === "user" || m.role === "assistant");
  return first < 0 ? [] : history.slice(first);
}

/** Rough size in characters of what the model will read for these messages. */
export function charsOf(messages: ModelMessage[]): number {
  return JSON.stringify(messages).length;
}
