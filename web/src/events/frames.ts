/**
 * The live hub's server frames (durable-objects/user-hub/protocol.ts), checked
 * on arrival: a frame that does not match is dropped, never trusted by a cast.
 */
import { isRecord } from "../api/errors";
import type { HubEvent } from "../api/types";

export type ServerFrame =
  | { type: "welcome"; connection_id: string; topics: string[]; last_event_id: number; heartbeat_ms: number }
  | { type: "event"; event: HubEvent }
  | { type: "replay_gap"; requested_after: number; oldest_available: number }
  | { type: "replayed"; count: number; last_event_id: number }
  | { type: "subscribed" | "unsubscribed"; topics: string[] }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

export type ClientFrame =
  | { type: "ping" }
  | { type: "resume"; last_event_id: number }
  | { type: "subscribe" | "unsubscribe"; topics: string[] };

const isInt = (value: unknown): value is number => Number.isInteger(value);
const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

function isHubEvent(value: unknown): value is HubEvent {
  return isRecord(value) && isInt(value.id) && typeof value.type === "string" && typeof value.ts === "string";
}

export function parseFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== "string") return null;
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(frame)) return null;
  const f = frame;
  switch (f.type) {
    case "welcome":
      return typeof f.connection_id === "string" &&
        isStrings(f.topics) &&
        isInt(f.last_event_id) &&
        isInt(f.heartbeat_ms)
        ? {
            type: "welcome",
            connection_id: f.connection_id,
            topics: f.topics,
            last_event_id: f.last_event_id,
            heartbeat_ms: f.heartbeat_ms,
          }
        : null;
    case "event":
      return isHubEvent(f.event) ? { type: "event", event: { ...f.event, data: f.event.data ?? null } } : null;
    case "replay_gap":
      return isInt(f.requested_after) && isInt(f.oldest_available)
        ? { type: "replay_gap", requested_after: f.requested_after, oldest_available: f.oldest_available }
        : null;
    case "replayed":
      return isInt(f.count) && isInt(f.last_event_id)
        ? { type: "replayed", count: f.count, last_event_id: f.last_event_id }
        : null;
    case "subscribed":
    case "unsubscribed":
      return isStrings(f.topics) ? { type: f.type, topics: f.topics } : null;
    case "pong":
      return { type: "pong" };
    case "error":
      return typeof f.code === "string" && typeof f.message === "string"
        ? { type: "error", code: f.code, message: f.message }
        : null;
    default:
      return null;
  }
}
