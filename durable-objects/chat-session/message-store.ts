/**
 * Messages in a session's SQLite, of any size. No row may pass the 2 MB cap
 * (the Agents SDK's failing, cloudflare/agents#546), so each field (content,
 * tool calls, tool results, attachments, metadata) stays inline only while it is
 * small; a larger one is split into `message_parts` rows of at most ~480 KB, and
 * reading the message joins them back, byte for byte.
 */

import type { Attachment, MessageDto } from "../../worker/features/chat-sessions/schemas";
import { newId } from "../../worker/lib/ids";
import { toIso } from "../../worker/lib/time";

export type Role = MessageDto["role"];
export type ToolCallRecord = MessageDto["tool_calls"][number];
export type ToolResultRecord = MessageDto["tool_results"][number];

export type StoredMessage = {
  seq: number;
  id: string;
  turnId: string | null;
  role: Role;
  content: string;
  toolCalls: ToolCallRecord[];
  toolResults: ToolResultRecord[];
  attachments: Attachment[];
  metadata: Record<string, unknown>;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  createdAt: number;
};

export type NewMessage = Partial<Omit<StoredMessage, "seq" | "createdAt" | "role">> & { role: Role };

const FIELDS = ["content", "tool_calls", "tool_results", "attachments", "metadata"] as const;
type Field = (typeof FIELDS)[number];

/** UTF-16 units kept inline per field: at most 3 UTF-8 bytes each, so five fields stay under 1 MB. */
export const INLINE_MAX_UNITS = 64 * 1024;
/** UTF-16 units per part row: at most ~480 KB of UTF-8. */
export const PART_UNITS = 160 * 1024;

const utf8Length = (text: string) => new TextEncoder().encode(text).byteLength;

/** Splits text into pieces of at most `size` UTF-16 units, never between the halves of a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

type Row = {
  seq: number;
  id: string;
  turn_id: string | null;
  role: Role;
  content: string | null;
  tool_calls: string | null;
  tool_results: string | null;
  attachments: string | null;
  metadata: string | null;
  spilled: string;
  bytes: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  created_at: number;
};

export class MessageStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  get #sql() {
    return this.storage.sql;
  }

  append(message: NewMessage): StoredMessage {
    const stored: StoredMessage = {
      seq: 0,
      id: message.id ?? newId(),
      turnId: message.turnId ?? null,
      role: message.role,
      content: message.content ?? "",
      toolCalls: message.toolCalls ?? [],
      toolResults: message.toolResults ?? [],
      attachments: message.attachments ?? [],
      metadata: message.metadata ?? {},
      inputTokens: message.inputTokens ?? 0,
      outputTokens: message.outputTokens ?? 0,
      costMicros: message.costMicros ?? 0,
      createdAt: Date.now(),
    };
    const encoded: Record<Field, string> = {
      content: stored.content,
      tool_calls: JSON.stringify(stored.toolCalls),
      tool_results: JSON.stringify(stored.toolResults),
      attachments: JSON.stringify(stored.attachments),
      metadata: JSON.stringify(stored.metadata),
    };
    const spilled = FIELDS.filter((field) => encoded[field].length > INLINE_MAX_UNITS);
    const inline = (field: Field) => (spilled.includes(field) ? null : encoded[field]);
    const bytes = FIELDS.reduce((sum, field) => sum + utf8Length(encoded[field]), 0);
    this.storage.transactionSync(() => {
      stored.seq = this.#sql
        .exec<{ seq: number }>(
          `INSERT INTO messages (id, turn_id, role, content, tool_calls, tool_results, attachments, metadata,
             spilled, bytes, input_tokens, output_tokens, cost_micros, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
          stored.id,
          stored.turnId,
          stored.role,
          inline("content"),
          inline("tool_calls"),
          inline("tool_results"),
          inline("attachments"),
          inline("metadata"),
          JSON.stringify(spilled),
          bytes,
          stored.inputTokens,
          stored.outputTokens,
          stored.costMicros,
          stored.createdAt,
        )
        .one().seq;
      for (const field of spilled) {
        for (const [idx, data] of splitText(encoded[field], PART_UNITS).entries()) {
          this.#sql.exec(
            "INSERT INTO message_parts (message_seq, field, idx, data) VALUES (?, ?, ?, ?)",
            stored.seq,
            field,
            idx,
            data,
          );
        }
      }
    });
    return stored;
  }

  get(seq: number): StoredMessage | null {
    const row = this.#sql.exec<Row>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    return row ? this.#read(row) : null;
  }

  /** Messages with seq in (after, upto], oldest first. */
  range(after: number, upto = Number.MAX_SAFE_INTEGER): StoredMessage[] {
    return this.#sql
      .exec<Row>("SELECT * FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq", after, upto)
      .toArray()
      .map((row) => this.#read(row));
  }

  /** The newest `limit` messages with seq <= upto, oldest first. */
  recent(limit: number, upto = Number.MAX_SAFE_INTEGER): StoredMessage[] {
    return this.#sql
      .exec<Row>(
        "SELECT * FROM (SELECT * FROM messages WHERE seq <= ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
        upto,
        limit,
      )
      .toArray()
      .map((row) => this.#read(row));
  }

  /**
   * One page in either direction from a seq (exclusive), at most `limit` messages
   * and — past the first — at most `maxBytes` of them, so a page of huge messages
   * still fits an RPC answer. `more` says whether another page follows.
   */
  page(query: { from: number | null; limit: number; order: "asc" | "desc"; maxBytes: number }) {
    const asc = query.order === "asc";
    const from = query.from ?? (asc ? 0 : Number.MAX_SAFE_INTEGER);
    const rows = this.#sql
      .exec<Row>(
        `SELECT * FROM messages WHERE seq ${asc ? ">" : "<"} ? ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT ?`,
        from,
        query.limit + 1,
      )
      .toArray();
    const taken: Row[] = [];
    let bytes = 0;
    for (const row of rows.slice(0, query.limit)) {
      if (taken.length > 0 && bytes + row.bytes > query.maxBytes) break;
      taken.push(row);
      bytes += row.bytes;
    }
    return { items: taken.map((row) => this.#read(row)), more: rows.length > taken.length };
  }

  /** Sum of UTF-8 sizes of the messages after `after`, and how many there are. */
  sizeAfter(after: number): { count: number; bytes: number } {
    return this.#sql
      .exec<{ count: number; bytes: number | null }>(
        "SELECT COUNT(*) AS count, SUM(bytes) AS bytes FROM messages WHERE seq > ?",
        after,
      )
      .toArray()
      .map((row) => ({ count: row.count, bytes: row.bytes ?? 0 }))[0]!;
  }

  #field(row: Row, field: Field, spilled: readonly string[]): string {
    if (!spilled.includes(field)) return row[field] ?? "";
    return this.#sql
      .exec<{ data: string }>(
        "SELECT data FROM message_parts WHERE message_seq = ? AND field = ? ORDER BY idx",
        row.seq,
        field,
      )
      .toArray()
      .map((part) => part.data)
      .join("");
  }

  #read(row: Row): StoredMessage {
    const spilled = JSON.parse(row.spilled) as string[];
    const json = <T>(field: Field, fallback: T): T => {
      const text = this.#field(row, field, spilled);
      return text ? (JSON.parse(text) as T) : fallback;
    };
    return {
      seq: row.seq,
      id: row.id,
      turnId: row.turn_id,
      role: row.role,
      content: this.#field(row, "content", spilled),
      toolCalls: json("tool_calls", []),
      toolResults: json("tool_results", []),
      attachments: json("attachments", []),
      metadata: json("metadata", {}),
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      costMicros: row.cost_micros,
      createdAt: row.created_at,
    };
  }
}

export function toMessageDto(message: StoredMessage): MessageDto {
  return {
    id: message.id,
    seq: message.seq,
    turn_id: message.turnId,
    role: message.role,
    content: message.content,
    tool_calls: message.toolCalls,
    tool_results: message.toolResults,
    attachments: message.attachments,
    metadata: message.metadata,
    input_tokens: message.inputTokens,
    output_tokens: message.outputTokens,
    cost_micros: message.costMicros,
    created_at: toIso(message.createdAt),
  };
}
