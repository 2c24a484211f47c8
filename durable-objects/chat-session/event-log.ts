/**
 * The session's stream: every event is numbered and stored before anyone is sent
 * it, so a client that reconnects with the last seq it saw gets exactly what it
 * missed. Text deltas are coalesced (one row per ~50 ms, not per token) and split
 * so no row nears the 2 MB cap. Old events are pruned, never those of an open turn.
 */

import type { StreamEvent, StreamEventType } from "../../shared/chat-session/protocol";
import { splitText } from "./message-store";

/** Most UTF-16 units of text in one text.delta event (~384 KB of UTF-8 at worst). */
export const MAX_DELTA_UNITS = 128 * 1024;
/** Events kept for replay once their turn has ended. */
export const KEEP_EVENTS = 5_000;
const COALESCE_MS = 50;
const COALESCE_UNITS = 16 * 1024;

type Row = { seq: number; turn_id: string | null; type: StreamEventType; data: string; ts: number };
const toEvent = (row: Row): StreamEvent => ({
  seq: row.seq,
  turn_id: row.turn_id,
  type: row.type,
  data: JSON.parse(row.data),
  ts: new Date(row.ts).toISOString(),
});

export class EventLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly deliver: (event: StreamEvent) => void,
  ) {}

  append(turnId: string | null, type: StreamEventType, data: unknown): StreamEvent {
    const ts = Date.now();
    const json = JSON.stringify(data);
    const { seq } = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO stream_events (turn_id, type, data, ts) VALUES (?, ?, ?, ?) RETURNING seq",
        turnId,
        type,
        json,
        ts,
      )
      .one();
    const event: StreamEvent = { seq, turn_id: turnId, type, data, ts: new Date(ts).toISOString() };
    this.deliver(event);
    return event;
  }

  after(seq: number, limit = 100_000): StreamEvent[] {
    return this.sql
      .exec<Row>("SELECT * FROM stream_events WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map(toEvent);
  }

  bounds(): { oldest: number; latest: number } {
    const row = this.sql
      .exec<{ oldest: number | null; latest: number | null }>(
        "SELECT MIN(seq) AS oldest, MAX(seq) AS latest FROM stream_events",
      )
      .one();
    return { oldest: row.oldest ?? 1, latest: row.latest ?? 0 };
  }

  /** Drops all but the newest `keep` events, keeping every event of a turn still open. */
  prune(keep = KEEP_EVENTS): void {
    const { latest } = this.bounds();
    this.sql.exec(
      `DELETE FROM stream_events WHERE seq <= ? AND (turn_id IS NULL OR turn_id NOT IN
         (SELECT id FROM turns WHERE status IN ('running', 'awaiting_approval')))`,
      latest - keep,
    );
  }
}

/**
 * Buffers a step's text and emits it as text.delta events: the first piece at once
 * (time to first token is what users feel), then when ~50 ms have passed since the
 * first unsent piece or the buffer is large, and always before any other event of
 * the turn (`flush`), so order is kept.
 */
export class DeltaCoalescer {
  #buffer: string[] = [];
  #units = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;

  constructor(private readonly emit: (text: string) => void) {}

  push(text: string): void {
    if (!text) return;
    this.#buffer.push(text);
    this.#units += text.length;
    if (!this.#started || this.#units >= COALESCE_UNITS) {
      this.#started = true;
      this.flush();
    } else this.#timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#units === 0) return;
    const text = this.#buffer.join("");
    this.#buffer = [];
    this.#units = 0;
    for (const piece of splitText(text, MAX_DELTA_UNITS)) this.emit(piece);
  }
}
