/**
 * Sessions in D1 (the index rows lists and search need) and the way to each
 * session's ChatSession Durable Object. Every lookup is scoped to its owner, so
 * another user's session id reads exactly like one that does not exist.
 */
import { and, eq, type SQL } from "drizzle-orm";
import type { ChatSession } from "../../../durable-objects/chat-session/chat-session";
import type { RpcResult, SessionRef } from "../../../durable-objects/chat-session/protocol";
import type { Db } from "../../db/client";
import { agents, chatSessions, type SessionStatus } from "../../db/schema";
import { AppError } from "../../errors";
import { fromBase64Url, toBase64Url, utf8 } from "../../lib/encoding";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import { toIso, toIsoOrNull } from "../../lib/time";
import type { SessionDto } from "./schemas";

export type SessionRow = typeof chatSessions.$inferSelect;

export function toSession(row: SessionRow): SessionDto {
  return {
    id: row.id,
    agent_id: row.agentId,
    title: row.title,
    status: row.status,
    message_count: row.messageCount,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost_micros: row.costMicros,
    last_message_at: toIsoOrNull(row.lastMessageAt),
    ended_at: toIsoOrNull(row.endedAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const refOf = (row: SessionRow): SessionRef => ({ sessionId: row.id, userId: row.userId, agentId: row.agentId });

/** The RPC surface the Worker uses, typed as the class declares it (stubs blur generic result unions). */
type SessionRpc = Pick<
  ChatSession,
  "submit" | "cancelTurn" | "decide" | "messagePage" | "state" | "openStream" | "end" | "destroy" | "fetch"
>;

export function sessionStub(env: Env, sessionId: string): SessionRpc {
  return env.CHAT_SESSION.getByName(sessionId) as unknown as SessionRpc;
}

const notFound = () => new AppError(404, "not_found", "No such session");

const RPC_ERRORS: Record<string, { status: 404 | 409; message?: string }> = {
  not_found: { status: 404, message: "No such session" },
  turn_not_found: { status: 404 },
  approval_not_found: { status: 404 },
  session_ended: { status: 409 },
  turn_in_progress: { status: 409 },
  turn_not_open: { status: 409 },
  approval_decided: { status: 409 },
  agent_unavailable: { status: 409 },
};

/** The value of a session RPC, or the AppError its failure code stands for. */
export function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  const mapped = RPC_ERRORS[result.code] ?? { status: 409 };
  throw new AppError(mapped.status, result.code, mapped.message ?? result.message);
}

/** The caller's session and whether its agent is still active; 404 for anyone else's. */
export async function getOwnSession(db: Db, userId: string, id: string) {
  const [found] = await db
    .select({ session: chatSessions, agentActive: agents.isActive })
    .from(chatSessions)
    .innerJoin(agents, eq(agents.id, chatSessions.agentId))
    .where(and(eq(chatSessions.id, id), eq(chatSessions.userId, userId)))
    .limit(1);
  if (!found) throw notFound();
  return found;
}

export async function createSession(db: Db, userId: string, input: { agent_id: string; title?: string | undefined }) {
  const [agent] = await db
    .select({ id: agents.id, name: agents.name, isActive: agents.isActive })
    .from(agents)
    .where(and(eq(agents.id, input.agent_id), eq(agents.userId, userId)))
    .limit(1);
  if (!agent) throw new AppError(404, "agent_not_found", "No such agent");
  if (!agent.isActive) throw new AppError(409, "agent_inactive", "This agent is deactivated; activate it first");
  const now = Date.now();
  const [row] = await db
    .insert(chatSessions)
    .values({
      id: newId(),
      userId,
      agentId: agent.id,
      title: input.title ?? "New chat",
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return toSession(row!);
}

export async function listSessions(
  db: Db,
  userId: string,
  query: {
    limit: number;
    cursor?: string | undefined;
    agent_id?: string | undefined;
    status?: SessionStatus | undefined;
  },
) {
  const page = keyset(chatSessions, query.cursor);
  const filters: Array<SQL | undefined> = [eq(chatSessions.userId, userId), page.where];
  if (query.agent_id) filters.push(eq(chatSessions.agentId, query.agent_id));
  if (query.status) filters.push(eq(chatSessions.status, query.status));
  const rows = await db
    .select()
    .from(chatSessions)
    .where(and(...filters))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toSession);
}

export async function renameSession(db: Db, userId: string, id: string, title: string) {
  const [row] = await db
    .update(chatSessions)
    .set({ title, updatedAt: Date.now() })
    .where(and(eq(chatSessions.id, id), eq(chatSessions.userId, userId)))
    .returning();
  if (!row) throw notFound();
  return toSession(row);
}

/** Marks the session ended in D1 first (so no new turn starts), then tells its object. */
export async function endSession(env: Env, db: Db, row: SessionRow) {
  let ended = row;
  if (row.status !== "ended") {
    const now = Date.now();
    const [updated] = await db
      .update(chatSessions)
      .set({ status: "ended", endedAt: now, updatedAt: now })
      .where(and(eq(chatSessions.id, row.id), eq(chatSessions.userId, row.userId)))
      .returning();
    ended = updated ?? row;
  }
  unwrap(await sessionStub(env, row.id).end(refOf(row)));
  return toSession(ended);
}

/** Wipes the object's storage first (it waits for its own D1 writes), then the D1 rows and search entries. */
export async function deleteSession(env: Env, row: SessionRow) {
  await sessionStub(env, row.id).destroy(refOf(row));
  await env.DB.batch([
    env.DB.prepare("DELETE FROM message_search WHERE session_id = ? AND user_id = ?").bind(row.id, row.userId),
    env.DB.prepare("DELETE FROM chat_sessions WHERE id = ? AND user_id = ?").bind(row.id, row.userId),
  ]);
}

/** Messages cursors carry the seq of the last message sent, for either direction. */
export function encodeSeqCursor(seq: number): string {
  return toBase64Url(utf8.encode(JSON.stringify(["seq", seq])));
}

export function decodeSeqCursor(cursor: string): number {
  try {
    const [tag, seq] = JSON.parse(utf8.decode(fromBase64Url(cursor))) as [unknown, unknown];
    if (tag === "seq" && typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0) return seq;
  } catch {
    // Falls through to the error below.
  }
  throw new AppError(400, "invalid_cursor", "The cursor is not one this API issued");
}
