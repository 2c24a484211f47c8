/**
 * A session's SQLite schema and its small tables: who it belongs to (meta), turns
 * with their checkpoints, tool approvals, summaries of older turns, and spent
 * WebSocket tickets. Messages and stream events have their own modules
 * (message-store.ts, event-log.ts). Every row stays far below the 2 MB row cap:
 * checkpoints hold ids and message seqs, never message bodies.
 */
import type { TurnStatus } from "../../worker/features/chat-sessions/schemas";
import type { SessionRef, TurnCaller, TurnRow } from "./protocol";

const DDL = [
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  `CREATE TABLE IF NOT EXISTS messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, turn_id TEXT, role TEXT NOT NULL,
     content TEXT, tool_calls TEXT, tool_results TEXT, attachments TEXT, metadata TEXT,
     spilled TEXT NOT NULL DEFAULT '[]', bytes INTEGER NOT NULL,
     input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
     cost_micros INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS messages_turn_idx ON messages (turn_id)",
  `CREATE TABLE IF NOT EXISTS message_parts (
     message_seq INTEGER NOT NULL, field TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
     PRIMARY KEY (message_seq, field, idx))`,
  `CREATE TABLE IF NOT EXISTS turns (
     id TEXT PRIMARY KEY, status TEXT NOT NULL, caller TEXT NOT NULL, checkpoint TEXT NOT NULL,
     error TEXT, started_at INTEGER NOT NULL, ended_at INTEGER)`,
  "CREATE INDEX IF NOT EXISTS turns_status_idx ON turns (status)",
  `CREATE TABLE IF NOT EXISTS approvals (
     turn_id TEXT NOT NULL, call_id TEXT NOT NULL, tool TEXT NOT NULL, input TEXT NOT NULL,
     status TEXT NOT NULL, reason TEXT, created_at INTEGER NOT NULL, decided_at INTEGER,
     PRIMARY KEY (turn_id, call_id))`,
  "CREATE INDEX IF NOT EXISTS approvals_call_idx ON approvals (call_id, created_at)",
  `CREATE TABLE IF NOT EXISTS stream_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, turn_id TEXT, type TEXT NOT NULL, data TEXT NOT NULL, ts INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS summaries (
     id INTEGER PRIMARY KEY AUTOINCREMENT, upto_seq INTEGER NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  "CREATE TABLE IF NOT EXISTS used_tickets (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
];

export function createSchema(sql: SqlStorage): void {
  for (const statement of DDL) sql.exec(statement);
}

/** Where a turn is: model steps done, the tool calls of the last step, and which of them have results. */
export type Checkpoint = {
  step: number;
  /** Seq of the assistant message whose tool calls are being run; null between steps. */
  assistantSeq: number | null;
  pending: Array<{ callId: string; name: string }>;
  /** call id → seq of its tool message. */
  completed: Record<string, number>;
  totals: { inputTokens: number; outputTokens: number; costMicros: number; toolCalls: number };
  /** Seq of the user message that started the turn. */
  userSeq: number;
  /** Whether this turn's first usage record (the interaction) was written. */
  interactionRecorded: boolean;
  /** The session's first turn (its first usage record counts the session). */
  firstTurn: boolean;
  /** Seq of the final answer once stored: a turn resumed after that only completes. */
  finalSeq: number | null;
};

export function newCheckpoint(userSeq: number, firstTurn: boolean): Checkpoint {
  return {
    step: 0,
    assistantSeq: null,
    pending: [],
    completed: {},
    totals: { inputTokens: 0, outputTokens: 0, costMicros: 0, toolCalls: 0 },
    userSeq,
    interactionRecorded: false,
    firstTurn,
    finalSeq: null,
  };
}

export type OpenTurn = TurnRow & { caller: TurnCaller; checkpoint: Checkpoint };

export type ApprovalStatus = "pending" | "approved" | "rejected" | "cancelled";
export type ApprovalRow = {
  call_id: string;
  turn_id: string;
  tool: string;
  input: unknown;
  status: ApprovalStatus;
  reason: string | null;
  created_at: number;
  decided_at: number | null;
};

type RawTurn = Omit<TurnRow, "error"> & { caller: string; checkpoint: string; error: string | null };

const toTurn = (row: RawTurn): OpenTurn => ({
  ...row,
  caller: JSON.parse(row.caller) as TurnCaller,
  checkpoint: JSON.parse(row.checkpoint) as Checkpoint,
  error: row.error ? (JSON.parse(row.error) as TurnRow["error"]) : null,
});

type RawApproval = Omit<ApprovalRow, "input"> & { input: string };
const toApproval = (row: RawApproval): ApprovalRow => ({ ...row, input: JSON.parse(row.input) });

export class SessionStore {
  constructor(private readonly sql: SqlStorage) {}

  meta(): (SessionRef & { status: "active" | "ended" }) | null {
    const rows = this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray();
    const map = new Map(rows.map((row) => [row.key, row.value]));
    const sessionId = map.get("session_id");
    const userId = map.get("user_id");
    const agentId = map.get("agent_id");
    if (!sessionId || !userId || !agentId) return null;
    return { sessionId, userId, agentId, status: map.get("status") === "ended" ? "ended" : "active" };
  }

  setMeta(values: Record<string, string>): void {
    for (const [key, value] of Object.entries(values)) {
      this.sql.exec(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
      );
    }
  }

  createTurn(id: string, caller: TurnCaller, checkpoint: Checkpoint): void {
    this.sql.exec(
      "INSERT INTO turns (id, status, caller, checkpoint, started_at) VALUES (?, 'running', ?, ?, ?)",
      id,
      JSON.stringify(caller),
      JSON.stringify(checkpoint),
      Date.now(),
    );
  }

  hasTurns(): boolean {
    return this.sql.exec("SELECT 1 FROM turns LIMIT 1").toArray().length > 0;
  }

  turn(id: string): OpenTurn | null {
    const row = this.sql.exec<RawTurn>("SELECT * FROM turns WHERE id = ?", id).toArray()[0];
    return row ? toTurn(row) : null;
  }

  /** The turn that is running or waiting for approval (at most one). */
  openTurn(): OpenTurn | null {
    const row = this.sql
      .exec<RawTurn>(
        "SELECT * FROM turns WHERE status IN ('running', 'awaiting_approval') ORDER BY started_at DESC LIMIT 1",
      )
      .toArray()[0];
    return row ? toTurn(row) : null;
  }

  saveCheckpoint(id: string, checkpoint: Checkpoint): void {
    this.sql.exec("UPDATE turns SET checkpoint = ? WHERE id = ?", JSON.stringify(checkpoint), id);
  }

  setTurnStatus(id: string, status: TurnStatus, error?: { code: string; message: string }): void {
    const ended = status === "running" || status === "awaiting_approval" ? null : Date.now();
    this.sql.exec(
      "UPDATE turns SET status = ?, error = ?, ended_at = ? WHERE id = ?",
      status,
      error ? JSON.stringify(error) : null,
      ended,
      id,
    );
  }

  approvals(turnId: string): ApprovalRow[] {
    return this.sql
      .exec<RawApproval>("SELECT * FROM approvals WHERE turn_id = ? ORDER BY created_at, call_id", turnId)
      .toArray()
      .map(toApproval);
  }

  /** A call's approval within one turn (models may reuse call ids across turns). */
  approval(turnId: string, callId: string): ApprovalRow | null {
    const row = this.sql
      .exec<RawApproval>("SELECT * FROM approvals WHERE turn_id = ? AND call_id = ?", turnId, callId)
      .toArray()[0];
    return row ? toApproval(row) : null;
  }

  /** The newest approval asked for `callId`, in whichever turn. */
  latestApproval(callId: string): ApprovalRow | null {
    const row = this.sql
      .exec<RawApproval>("SELECT * FROM approvals WHERE call_id = ? ORDER BY created_at DESC LIMIT 1", callId)
      .toArray()[0];
    return row ? toApproval(row) : null;
  }

  requestApproval(turnId: string, callId: string, tool: string, input: unknown): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO approvals (call_id, turn_id, tool, input, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
      callId,
      turnId,
      tool,
      JSON.stringify(input),
      Date.now(),
    );
  }

  /** Decides a pending approval; false when it was already decided. */
  decideApproval(
    turnId: string,
    callId: string,
    status: Exclude<ApprovalStatus, "pending">,
    reason: string | null,
  ): boolean {
    const result = this.sql.exec(
      "UPDATE approvals SET status = ?, reason = ?, decided_at = ? WHERE turn_id = ? AND call_id = ? AND status = 'pending'",
      status,
      reason,
      Date.now(),
      turnId,
      callId,
    );
    return result.rowsWritten > 0;
  }

  cancelApprovals(turnId: string): void {
    this.sql.exec(
      "UPDATE approvals SET status = 'cancelled', decided_at = ? WHERE turn_id = ? AND status = 'pending'",
      Date.now(),
      turnId,
    );
  }

  latestSummary(beforeSeq: number): { uptoSeq: number; content: string } | null {
    const row = this.sql
      .exec<{ upto_seq: number; content: string }>(
        "SELECT upto_seq, content FROM summaries WHERE upto_seq < ? ORDER BY upto_seq DESC LIMIT 1",
        beforeSeq,
      )
      .toArray()[0];
    return row ? { uptoSeq: row.upto_seq, content: row.content } : null;
  }

  saveSummary(uptoSeq: number, content: string): void {
    this.sql.exec(
      "INSERT INTO summaries (upto_seq, content, created_at) VALUES (?, ?, ?)",
      uptoSeq,
      content,
      Date.now(),
    );
  }

  /** Records a WebSocket ticket as used; false if it already was. */
  spendTicket(nonce: string, expiresAt: number): boolean {
    this.sql.exec("DELETE FROM used_tickets WHERE expires_at < ?", Date.now());
    return (
      this.sql.exec("INSERT OR IGNORE INTO used_tickets (nonce, expires_at) VALUES (?, ?)", nonce, expiresAt)
        .rowsWritten > 0
    );
  }
}
