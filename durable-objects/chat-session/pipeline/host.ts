/**
 * What a running turn needs from its ChatSession: storage, the event stream and
 * the session's identity. The Durable Object implements it; the pipeline modules
 * only see this, so they read as the flowchart's steps.
 */

import type { StreamEventType } from "../../../shared/chat-session/protocol";
import type { PipelineDeps } from "../../../worker/features/chat-sessions/deps";
import type { EventData } from "../../../worker/features/events/catalog";
import type { ResolvedModel } from "../../../worker/features/models/contract";
import type { ToolDescriptor } from "../../../worker/features/tools/contract";
import type { MessageStore, NewMessage, StoredMessage } from "../message-store";
import type { SessionRef, TurnCaller } from "../protocol";
import type { Checkpoint, SessionStore } from "../storage";
import type { Agent, TurnSettings } from "./agent";

export type TurnHost = {
  env: Env;
  ref: SessionRef;
  store: SessionStore;
  messages: MessageStore;
  emit(turnId: string | null, type: StreamEventType, data: unknown): void;
  /** Stores a message, indexes it for search and emits its `message` event. */
  persist(message: NewMessage): StoredMessage;
  /** Work the turn does not wait for now (ledger records, search index); `settled` waits for it. */
  background(work: Promise<void>): void;
  /** Resolves once all background work (D1 index and counts, ledger records, hub notices) has landed. */
  settled(): Promise<void>;
  /** Tells the owner's live hub (other tabs and devices), in the background. */
  notify<T extends "chat.approval_required" | "chat.turn_ended">(type: T, data: EventData<T>): void;
};

/** One turn in flight: what it was started with and what it has resolved so far. */
export type TurnRun = {
  id: string;
  caller: TurnCaller;
  checkpoint: Checkpoint;
  signal: AbortSignal;
  startedAt: number;
  host: TurnHost;
  deps: PipelineDeps;
  agent: Agent;
  settings: TurnSettings;
  models: ResolvedModel[];
  /** The agent's tools that its owner can call now. */
  tools: ToolDescriptor[];
  /** Spend recorded but not yet confirmed by the ledger. */
  unrecorded: { tokens: number; costMicros: number };
};

/** Thrown inside a turn to end it as failed with a code clients can act on. */
export class TurnFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "TurnFailure";
  }
}

/** A JSON-able view of a value, cut to about `maxChars` when large (events and approvals stay small). */
export function preview(value: unknown, maxChars = 8_192): unknown {
  const json = JSON.stringify(value ?? null);
  if (json.length <= maxChars) return value ?? null;
  return { truncated: true, preview: json.slice(0, maxChars), total_chars: json.length };
}

export function saveCheckpoint(run: TurnRun): void {
  run.host.store.saveCheckpoint(run.id, run.checkpoint);
}
