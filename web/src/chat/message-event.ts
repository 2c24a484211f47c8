/**
 * The message a `message` stream event carries, read defensively: the frame around it
 * is checked with shared/chat-session/protocol.ts, but event payloads stay `unknown`
 * there, so the transcript takes only the fields it reads, with defaults.
 */
import { isRecord } from "../api/errors";
import type { ChatMessage } from "./types";

/** A message's fields the transcript reads (not its attachments). */
export type MessageFields = Omit<ChatMessage, "attachments">;

const isInt = (value: unknown): value is number => Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);

/** A `message` event's message, if it has the fields the transcript reads. */
export function readMessage(value: unknown): MessageFields | null {
  if (!isRecord(value) || !isString(value.id) || !isString(value.role) || !isString(value.content)) return null;
  if (!isArray(value.tool_calls) || !isArray(value.tool_results)) return null;
  const calls = value.tool_calls.filter((c) => isRecord(c) && isString(c.call_id) && isString(c.name));
  const results = value.tool_results.filter((r) => isRecord(r) && isString(r.call_id) && isString(r.name));
  return {
    id: value.id,
    seq: isInt(value.seq) ? value.seq : 0,
    turn_id: isString(value.turn_id) ? value.turn_id : null,
    role: value.role as MessageFields["role"],
    content: value.content,
    tool_calls: calls as MessageFields["tool_calls"],
    tool_results: results as MessageFields["tool_results"],
    metadata: isRecord(value.metadata) ? value.metadata : {},
    input_tokens: isInt(value.input_tokens) ? value.input_tokens : 0,
    output_tokens: isInt(value.output_tokens) ? value.output_tokens : 0,
    cost_micros: isInt(value.cost_micros) ? value.cost_micros : 0,
    created_at: isString(value.created_at) ? value.created_at : "",
  };
}
