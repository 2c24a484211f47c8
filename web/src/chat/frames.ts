/**
 * The session WebSocket's server frames (durable-objects/chat-session/protocol.ts),
 * checked on arrival: a frame that does not match is dropped, never trusted by a cast.
 * Event payloads stay `unknown` here; transcript.ts reads each type's fields defensively.
 */
import { isRecord } from "../api/errors";
import type { ChatMessage, ServerFrame, StreamEvent } from "./types";

const isInt = (value: unknown): value is number => Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === "string";

function toEvent(value: unknown): StreamEvent | null {
  if (!isRecord(value) || !isInt(value.seq) || !isString(value.type) || !isString(value.ts)) return null;
  const turnId = isString(value.turn_id) ? value.turn_id : null;
  return { seq: value.seq, turn_id: turnId, type: value.type, data: value.data ?? null, ts: value.ts };
}

function fromRecord(f: Record<string, unknown>): ServerFrame | null {
  switch (f.type) {
    case "welcome":
      return isString(f.session_id) && isInt(f.last_seq) && isInt(f.heartbeat_ms)
        ? { type: "welcome", session_id: f.session_id, last_seq: f.last_seq, heartbeat_ms: f.heartbeat_ms }
        : null;
    case "event": {
      const event = toEvent(f.event);
      return event ? { type: "event", event } : null;
    }
    case "replay_gap":
      return isInt(f.requested_after) && isInt(f.oldest_available)
        ? { type: "replay_gap", requested_after: f.requested_after, oldest_available: f.oldest_available }
        : null;
    case "replayed":
      return isInt(f.count) && isInt(f.last_seq) ? { type: "replayed", count: f.count, last_seq: f.last_seq } : null;
    case "accepted":
      return isString(f.turn_id) && isString(f.message_id) && isInt(f.stream_after)
        ? { type: "accepted", turn_id: f.turn_id, message_id: f.message_id, stream_after: f.stream_after }
        : null;
    case "ack":
      return isString(f.request) && isString(f.id) ? { type: "ack", request: f.request, id: f.id } : null;
    case "pong":
      return { type: "pong" };
    case "error":
      return isString(f.code) && isString(f.message)
        ? { type: "error", code: f.code, message: f.message, request: isString(f.request) ? f.request : null }
        : null;
    default:
      return null;
  }
}

export function parseFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== "string") return null;
  try {
    const frame: unknown = JSON.parse(raw);
    return isRecord(frame) ? fromRecord(frame) : null;
  } catch {
    return null;
  }
}

const isArray = (value: unknown): value is unknown[] => Array.isArray(value);

/** A `message` event's message, if it has the fields the transcript reads. */
export function readMessage(value: unknown): ChatMessage | null {
  if (!isRecord(value) || !isString(value.id) || !isString(value.role) || !isString(value.content)) return null;
  if (!isArray(value.tool_calls) || !isArray(value.tool_results)) return null;
  const calls = value.tool_calls.filter((c) => isRecord(c) && isString(c.call_id) && isString(c.name));
  const results = value.tool_results.filter((r) => isRecord(r) && isString(r.call_id) && isString(r.name));
  return {
    id: value.id,
    seq: isInt(value.seq) ? value.seq : 0,
    turn_id: isString(value.turn_id) ? value.turn_id : null,
    role: value.role as ChatMessage["role"],
    content: value.content,
    tool_calls: calls as ChatMessage["tool_calls"],
    tool_results: results as ChatMessage["tool_results"],
    metadata: isRecord(value.metadata) ? value.metadata : {},
    input_tokens: isInt(value.input_tokens) ? value.input_tokens : 0,
    output_tokens: isInt(value.output_tokens) ? value.output_tokens : 0,
    cost_micros: isInt(value.cost_micros) ? value.cost_micros : 0,
    created_at: isString(value.created_at) ? value.created_at : "",
  };
}
