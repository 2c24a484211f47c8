/**
 * How `edgewise chat` shows a turn: the answer's text streams to stdout as it
 * arrives; tool calls, approvals, problems and the closing usage line go to stderr
 * (so `edgewise chat … > answer.txt` keeps only the answer). With --json every
 * event is one line of JSON on stdout instead.
 */
import { z } from "zod";
import type { StreamEvent } from "./chat-api";

type Sink = { write(chunk: string): unknown };

const Delta = z.object({ message_id: z.string().nullable().optional(), text: z.string() });
const ToolStarted = z.looseObject({ call_id: z.string(), name: z.string(), input: z.unknown() });
const ToolFinished = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  status: z.string(),
  execution_time_ms: z.number().optional(),
  output: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
const Decided = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  decision: z.string(),
  reason: z.string().nullable().optional(),
});
const Message = z.object({
  message: z.looseObject({ id: z.string(), role: z.string(), content: z.string() }),
});
const Usage = z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), cost_micros: z.number() });
const Completed = z.looseObject({
  steps: z.number().optional(),
  usage: Usage.extend({ tool_calls: z.number().optional() }),
  response_ms: z.number().optional(),
});
const Failed = z.looseObject({ code: z.string(), message: z.string() });
const Cancelled = z.looseObject({ reason: z.string().optional() });

/** Compact JSON, cut to `max` characters. */
export function preview(value: unknown, max = 240): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "$0", "$0.000123", "$1.2345": small amounts keep their precision. */
export function formatCost(micros: number): string {
  const usd = micros / 1_000_000;
  if (usd === 0) return "$0";
  return usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
}

export function usageLine(data: z.infer<typeof Completed>): string {
  const { usage } = data;
  const parts = [`${usage.input_tokens} in + ${usage.output_tokens} out tokens`, formatCost(usage.cost_micros)];
  if (data.steps !== undefined) parts.push(`${data.steps} step${data.steps === 1 ? "" : "s"}`);
  if (usage.tool_calls) parts.push(`${usage.tool_calls} tool call${usage.tool_calls === 1 ? "" : "s"}`);
  if (data.response_ms !== undefined) parts.push(`${(data.response_ms / 1000).toFixed(2)} s`);
  return `[${parts.join(" · ")}]`;
}

export type TurnEnd = { status: "completed" | "failed" | "cancelled"; message?: string };

/** Prints one turn's events; `end` is set once its last event has arrived. */
export class TurnPrinter {
  end: TurnEnd | null = null;
  #atLineStart = true;
  /** Messages whose text arrived as deltas; a message seen only whole (after a resume) is printed whole. */
  #streamed = new Set<string>();
  /** Calls already reported as rejected: their "finished" event would only say it again. */
  #rejected = new Set<string>();

  constructor(
    private readonly out: Sink,
    private readonly err: Sink,
    private readonly json: boolean,
  ) {}

  handle(event: StreamEvent) {
    if (this.json) this.out.write(`${JSON.stringify(event)}\n`);
    switch (event.type) {
      case "text.delta":
        return this.#read(Delta, event, (d) => {
          if (d.message_id) this.#streamed.add(d.message_id);
          this.#text(d.text);
        });
      case "message":
        return this.#read(Message, event, ({ message }) => {
          if (message.role === "assistant" && message.content && !this.#streamed.has(message.id)) {
            this.#text(message.content);
          }
        });
      case "tool.started":
        return this.#read(ToolStarted, event, (d) => this.#note(`⚙ ${d.name} ${preview(d.input)}`));
      case "tool.finished":
        return this.#read(ToolFinished, event, (d) => {
          if (!(d.status === "rejected" && this.#rejected.has(d.call_id))) this.#note(toolResultLine(d));
        });
      case "tool.approval_decided":
        return this.#read(Decided, event, (d) => {
          const approved = d.decision === "approved";
          if (!approved) this.#rejected.add(d.call_id);
          this.#note(`${approved ? "✔ approved" : "✖ rejected"} ${d.name}${d.reason ? `: ${d.reason}` : ""}`);
        });
      case "budget.exceeded":
        return this.#note(`budget exceeded: ${preview(event.data)}`);
      case "turn.completed":
        return this.#read(Completed, event, (d) => {
          this.#finishLine();
          this.#note(usageLine(d));
          this.end = { status: "completed" };
        });
      case "turn.failed":
        return this.#read(Failed, event, (d) => {
          this.#note(`error: ${d.message} (${d.code})`);
          this.end = { status: "failed", message: d.message };
        });
      case "turn.cancelled":
        return this.#read(Cancelled, event, (d) => {
          this.#note(`turn cancelled${d.reason ? ` (${d.reason})` : ""}`);
          this.end = { status: "cancelled" };
        });
      default:
        return;
    }
  }

  /** A line for the person at the terminal, after ending the answer's line if it is mid-way. */
  note(text: string): void {
    this.#note(text);
  }

  #read<T>(schema: z.ZodType<T>, event: StreamEvent, use: (data: T) => void): void {
    const parsed = schema.safeParse(event.data);
    if (parsed.success) use(parsed.data);
  }

  #text(text: string): void {
    if (this.json || !text) return;
    this.out.write(text);
    this.#atLineStart = text.endsWith("\n");
  }

  #finishLine(): void {
    if (this.json || this.#atLineStart) return;
    this.out.write("\n");
    this.#atLineStart = true;
  }

  #note(text: string): void {
    this.#finishLine();
    this.err.write(`${text}\n`);
  }
}

function toolResultLine(d: z.infer<typeof ToolFinished>): string {
  const time = d.execution_time_ms === undefined ? "" : ` in ${d.execution_time_ms} ms`;
  if (d.status === "succeeded") return `✔ ${d.name} succeeded${time}: ${preview(d.output)}`;
  const why = d.error ? `: ${d.error.message} (${d.error.code})` : "";
  return `✖ ${d.name} ${d.status.replace("_", " ")}${time}${why}`;
}
