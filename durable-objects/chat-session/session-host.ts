/**
 * The ChatSession's side of a running turn (pipeline/host.ts's TurnHost): stores
 * messages and emits their events, keeps D1's view of the session up to date (the
 * row's count and time, the search index), tells the owner's live hub, and tracks
 * that background work so a finished turn or a deleted session can wait for it.
 */

import type { StreamEventType } from "../../shared/chat-session/protocol";
import type { MessageDto } from "../../worker/features/chat-sessions/schemas";
import type { EventData } from "../../worker/features/events/catalog";
import { publishEvent } from "../../worker/features/events/publish";
import type { EventLog } from "./event-log";
import { type MessageStore, type NewMessage, type StoredMessage, toMessageDto } from "./message-store";
import { preview, type TurnHost } from "./pipeline/host";
import type { SessionRef } from "./protocol";
import type { SessionStore } from "./storage";

/** Characters of a message put in the search index (D1 rows are capped too). */
const SEARCH_CHARS = 32_000;
/** A `message` event carries the message whole only below this size; clients fetch larger ones. */
const EVENT_MESSAGE_CHARS = 64_000;

function messageEvent(message: StoredMessage): { message: MessageDto; truncated: boolean } {
  const dto = toMessageDto(message);
  if (JSON.stringify(dto).length <= EVENT_MESSAGE_CHARS) return { message: dto, truncated: false };
  const short = {
    ...dto,
    content: dto.content.slice(0, EVENT_MESSAGE_CHARS / 2),
    tool_calls: dto.tool_calls.map((c) => ({ ...c, input: preview(c.input) })),
    tool_results: dto.tool_results.map((r) => ({ ...r, output: preview(r.output) })),
  };
  return { message: short, truncated: true };
}

const logFailure = (msg: string) => (error: unknown) =>
  console.error(JSON.stringify({ level: "error", msg, error: String(error) }));

export class SessionHost implements TurnHost {
  #background = new Set<Promise<void>>();

  constructor(
    readonly env: Env,
    readonly store: SessionStore,
    readonly messages: MessageStore,
    private readonly events: EventLog,
  ) {}

  get ref(): SessionRef {
    const meta = this.store.meta();
    if (!meta) throw new Error("The session has no identity yet");
    return meta;
  }

  emit(turnId: string | null, type: StreamEventType, data: unknown): void {
    this.events.append(turnId, type, data);
  }

  persist(message: NewMessage): StoredMessage {
    const stored = this.messages.append(message);
    this.events.append(stored.turnId, "message", messageEvent(stored));
    this.#index(stored);
    return stored;
  }

  background(work: Promise<void>): void {
    const tracked: Promise<void> = work.finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  async settled(): Promise<void> {
    await Promise.all([...this.#background]);
  }

  notify<T extends "chat.approval_required" | "chat.turn_ended">(type: T, data: EventData<T>): void {
    const { userId, sessionId } = this.ref;
    this.background(
      publishEvent(this.env, userId, type, data, [`session:${sessionId}`]).then(
        () => {},
        logFailure("hub notice failed"),
      ),
    );
  }

  /** The D1 side of a new message: the session row's count and time, and the search index. */
  #index(message: StoredMessage): void {
    const { userId, sessionId } = this.ref;
    const db = this.env.DB;
    const statements = [
      db
        .prepare(
          "UPDATE chat_sessions SET message_count = message_count + 1, last_message_at = ?1, updated_at = ?1 WHERE id = ?2 AND user_id = ?3",
        )
        .bind(message.createdAt, sessionId, userId),
    ];
    if ((message.role === "user" || message.role === "assistant") && message.content) {
      const content = message.content.slice(0, SEARCH_CHARS);
      statements.push(
        db
          .prepare(
            "INSERT INTO message_search (content, user_id, session_id, message_id, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .bind(content, userId, sessionId, message.id, message.role, message.createdAt),
      );
    }
    this.background(db.batch(statements).then(() => {}, logFailure("message index failed")));
  }
}
