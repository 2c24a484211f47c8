/**
 * The conversation as the chat page shows it, folded from two sources: the stored
 * messages (GET /sessions/{id}/messages) and the session's stream events. Pure
 * functions, so a replayed event or a message seen in both changes nothing:
 * messages are keyed by id, tool cards by call id, and deltas only grow a message
 * still streaming.
 */
import { isRecord } from "../api/errors";
import { type MessageFields, readMessage } from "./message-event";
import type { StreamEvent, Turn } from "./types";

export type Usage = { inputTokens: number; outputTokens: number; costMicros: number };

export type ToolCardStatus = "requested" | "awaiting_approval" | "approved" | "running" | (string & {});

export type ToolCard = {
  callId: string;
  name: string;
  input: unknown;
  status: ToolCardStatus;
  approval: "pending" | "approved" | "rejected" | null;
  output?: unknown;
  error?: { code: string; message: string };
  executionTimeMs: number | null;
  startedAt: string | null;
};

export type Entry =
  | { kind: "user"; id: string; turnId: string | null; content: string; at: string }
  | {
      kind: "assistant";
      id: string;
      turnId: string | null;
      text: string;
      streaming: boolean;
      calls: string[];
      usage: Usage | null;
      model: string | null;
      partial: boolean;
      at: string;
    }
  | { kind: "notice"; id: string; turnId: string | null; tone: "error" | "warning" | "info"; text: string };

export type TurnTotals = Usage & { steps: number; responseMs: number; toolCalls: number };

export type Transcript = {
  entries: Entry[];
  tools: Record<string, ToolCard>;
  /** The turn in flight, if any. */
  turn: { id: string; status: "running" | "awaiting_approval" } | null;
  totals: Record<string, TurnTotals>;
  ended: boolean;
};

export const EMPTY_TRANSCRIPT: Transcript = { entries: [], tools: {}, turn: null, totals: {}, ended: false };

type Data = Record<string, unknown>;
const str = (d: Data, key: string) => (typeof d[key] === "string" ? (d[key] as string) : undefined);
const num = (d: Data, key: string) => (typeof d[key] === "number" ? (d[key] as number) : 0);

function upsert(entries: Entry[], entry: Entry): Entry[] {
  const at = entries.findIndex((known) => known.id === entry.id);
  if (at === -1) return [...entries, entry];
  const next = [...entries];
  next[at] = entry;
  return next;
}

function card(tools: Record<string, ToolCard>, callId: string, name: string, input: unknown): ToolCard {
  return (
    tools[callId] ?? {
      callId,
      name,
      input,
      status: "requested",
      approval: null,
      executionTimeMs: null,
      startedAt: null,
    }
  );
}

/** One stored message into the transcript (user and assistant entries; tool results update their cards). */
export function addMessage(t: Transcript, m: MessageFields): Transcript {
  const tools = { ...t.tools };
  for (const call of m.tool_calls) tools[call.call_id] = card(tools, call.call_id, call.name, call.input);
  for (const result of m.tool_results) {
    const known = card(tools, result.call_id, result.name, undefined);
    tools[result.call_id] = {
      ...known,
      status: result.status,
      output: result.output,
      ...(result.error ? { error: result.error } : {}),
      executionTimeMs: result.execution_time_ms,
    };
  }
  if (m.role === "user") {
    return { ...t, tools, entries: upsert(t.entries, userEntry(m)) };
  }
  if (m.role === "assistant") {
    return { ...t, tools, entries: upsert(t.entries, assistantEntry(m)) };
  }
  return { ...t, tools };
}

const withMessage = (t: Transcript, m: MessageFields | null) => (m ? addMessage(t, m) : t);

const userEntry = (m: MessageFields): Entry => ({
  kind: "user",
  id: m.id,
  turnId: m.turn_id,
  content: m.content,
  at: m.created_at,
});

const assistantEntry = (m: MessageFields): Entry => ({
  kind: "assistant",
  id: m.id,
  turnId: m.turn_id,
  text: m.content,
  streaming: false,
  calls: m.tool_calls.map((call) => call.call_id),
  usage: { inputTokens: m.input_tokens, outputTokens: m.output_tokens, costMicros: m.cost_micros },
  model: typeof m.metadata.model === "string" ? m.metadata.model : null,
  partial: m.metadata.partial === true,
  at: m.created_at,
});

/** A page of stored messages (oldest first) and the open turn, from GET /sessions/{id}. */
export function fromHistory(messages: MessageFields[], activeTurn: Turn | null, ended: boolean): Transcript {
  let t: Transcript = { ...EMPTY_TRANSCRIPT, ended };
  for (const message of messages) t = addMessage(t, message);
  if (!activeTurn) return t;
  const tools = { ...t.tools };
  for (const pending of activeTurn.pending_approvals) {
    const known = card(tools, pending.call_id, pending.tool, pending.input);
    tools[pending.call_id] = { ...known, status: "awaiting_approval", approval: "pending" };
  }
  const status = activeTurn.status === "awaiting_approval" ? "awaiting_approval" : "running";
  return { ...t, tools, turn: { id: activeTurn.id, status } };
}

/** Older messages (oldest first) in front of what is shown; what is shown wins where both know a call. */
export function prependHistory(t: Transcript, older: MessageFields[]): Transcript {
  const before = fromHistory(older, null, t.ended);
  const shown = new Set(t.entries.map((entry) => entry.id));
  return {
    ...t,
    entries: [...before.entries.filter((entry) => !shown.has(entry.id)), ...t.entries],
    tools: { ...before.tools, ...t.tools },
  };
}

function notice(t: Transcript, event: StreamEvent, tone: "error" | "warning" | "info", text: string): Transcript {
  const entry: Entry = { kind: "notice", id: `${event.type}:${event.seq}`, turnId: event.turn_id, tone, text };
  return { ...t, entries: upsert(t.entries, entry) };
}

/** The turn is over: nothing of it streams any more, and cards still open are closed as `status`. */
function endTurn(t: Transcript, turnId: string | null, status: string): Transcript {
  const entries = t.entries.map((entry) =>
    entry.kind === "assistant" && entry.streaming && entry.turnId === turnId ? { ...entry, streaming: false } : entry,
  );
  const tools = Object.fromEntries(
    Object.entries(t.tools).map(([id, tool]) => [
      id,
      ["requested", "awaiting_approval", "approved", "running"].includes(tool.status) && ownedBy(t, id, turnId)
        ? { ...tool, status }
        : tool,
    ]),
  );
  return { ...t, entries, tools, turn: t.turn?.id === turnId ? null : t.turn };
}

const ownedBy = (t: Transcript, callId: string, turnId: string | null) =>
  t.entries.some((entry) => entry.kind === "assistant" && entry.turnId === turnId && entry.calls.includes(callId));

function delta(t: Transcript, event: StreamEvent, d: Data): Transcript {
  const id = str(d, "message_id");
  const text = str(d, "text") ?? "";
  if (!id) return t;
  const known = t.entries.find((entry) => entry.id === id);
  if (known && (known.kind !== "assistant" || !known.streaming)) return t;
  const entry: Entry = known
    ? { ...known, text: known.text + text }
    : {
        kind: "assistant",
        id,
        turnId: event.turn_id,
        text,
        streaming: true,
        calls: [],
        usage: null,
        model: null,
        partial: false,
        at: event.ts,
      };
  return { ...t, entries: upsert(t.entries, entry) };
}

function updateCard(t: Transcript, d: Data, change: (tool: ToolCard) => ToolCard): Transcript {
  const callId = str(d, "call_id");
  if (!callId) return t;
  const known = card(t.tools, callId, str(d, "name") ?? "tool", d.input);
  return { ...t, tools: { ...t.tools, [callId]: change(known) } };
}

const stillWaiting = (t: Transcript) => Object.values(t.tools).some((tool) => tool.approval === "pending");

function toolEvent(t: Transcript, event: StreamEvent, d: Data): Transcript {
  switch (event.type) {
    case "tool.started":
      return updateCard(t, d, (tool) => ({
        ...tool,
        input: d.input ?? tool.input,
        status: "running",
        startedAt: event.ts,
      }));
    case "tool.approval_required": {
      const next = updateCard(t, d, (tool) => ({ ...tool, status: "awaiting_approval", approval: "pending" }));
      return event.turn_id ? { ...next, turn: { id: event.turn_id, status: "awaiting_approval" } } : next;
    }
    case "tool.approval_decided": {
      const approved = str(d, "decision") === "approved";
      const next = updateCard(t, d, (tool) => ({
        ...tool,
        approval: approved ? "approved" : "rejected",
        status: approved ? "approved" : "rejected",
      }));
      return next.turn && !stillWaiting(next) ? { ...next, turn: { ...next.turn, status: "running" } } : next;
    }
    default: {
      const error = isRecord(d.error) ? { code: String(d.error.code), message: String(d.error.message) } : undefined;
      return updateCard(t, d, (tool) => ({
        ...tool,
        status: str(d, "status") ?? "failed",
        output: d.output,
        ...(error ? { error } : {}),
        executionTimeMs: num(d, "execution_time_ms"),
      }));
    }
  }
}

function completed(t: Transcript, event: StreamEvent, d: Data): Transcript {
  const usage = isRecord(d.usage) ? d.usage : {};
  const totals: TurnTotals = {
    inputTokens: num(usage, "input_tokens"),
    outputTokens: num(usage, "output_tokens"),
    costMicros: num(usage, "cost_micros"),
    toolCalls: num(usage, "tool_calls"),
    steps: num(d, "steps"),
    responseMs: num(d, "response_ms"),
  };
  const next = endTurn(t, event.turn_id, "cancelled");
  return event.turn_id ? { ...next, totals: { ...next.totals, [event.turn_id]: totals } } : next;
}

function budgetText(d: Data): string {
  const scope = str(d, "scope") ?? "a";
  const period = str(d, "period");
  return `The turn stopped: it would exceed ${scope === "a" ? "a" : `the ${scope}`} budget${period ? ` (${period})` : ""}.`;
}

/** One stream event into the transcript. Unknown types change nothing. */
export function applyEvent(t: Transcript, event: StreamEvent): Transcript {
  const d: Data = isRecord(event.data) ? event.data : {};
  switch (event.type) {
    case "turn.started":
    case "turn.resumed":
      return event.turn_id ? { ...t, turn: { id: event.turn_id, status: "running" } } : t;
    case "message":
      return withMessage(t, readMessage(d.message));
    case "text.delta":
      return delta(t, event, d);
    case "tool.started":
    case "tool.approval_required":
    case "tool.approval_decided":
    case "tool.finished":
      return toolEvent(t, event, d);
    case "turn.completed":
      return completed(t, event, d);
    case "turn.failed":
      return notice(endTurn(t, event.turn_id, "cancelled"), event, "error", str(d, "message") ?? "The turn failed");
    case "turn.cancelled":
      return notice(endTurn(t, event.turn_id, "cancelled"), event, "info", "Turn cancelled.");
    case "budget.exceeded":
      return notice(t, event, "warning", budgetText(d));
    case "context.summarized":
      return notice(t, event, "info", "Older messages were summarised to fit the context.");
    case "session.ended":
      return notice({ ...t, ended: true }, event, "info", "This session has ended.");
    default:
      return t;
  }
}
