/**
 * Memories: create, read, list, edit and delete what the platform remembers,
 * keeping three things in step — the rows (memories, memory_chunks), the keyword
 * index (FTS5, kept by triggers) and the vector index. Vectors are written
 * before rows and deleted after them; a vector whose row is gone is never shown
 * (search reads rows), so a failure in between leaves nothing visible behind.
 */
import { and, eq, gt, gte, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { type ChunkCitation, type MemoryScope, type MemorySource, memories, memoryChunks } from "../../db/schema";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { type Actor, auditInsert } from "../audit/record";
import { getConfig } from "../config/service";
import { chunkText } from "./chunking";
import { embedderFor } from "./embedder";
import { vectorIndexFor } from "./vector-index";

export type MemoryRow = typeof memories.$inferSelect;
export type ChunkInput = { content: string; citation: ChunkCitation };

export const GLOBAL_OWNER = "global";
export const vectorOwner = (row: { scope: MemoryScope; userId: string }) =>
  row.scope === "global" ? GLOBAL_OWNER : row.userId;

export type MemoryInput = {
  content: string;
  category: string;
  tags: string[];
  metadata: Record<string, unknown>;
  scope: MemoryScope;
  source: MemorySource;
  fileId?: string | null;
  expiresAt: number | null;
};

/** Chunks of a memory's own text (knowledge from files brings its own, with citations). */
export async function chunksOf(env: Env, content: string): Promise<ChunkInput[]> {
  const { chunk_chars, chunk_overlap_chars } = await getConfig(env, "knowledge");
  return chunkText(content, { size: chunk_chars, overlap: chunk_overlap_chars }).map((text) => ({
    content: text,
    citation: {},
  }));
}

/** Embeds chunks and writes their vectors; returns the chunk rows to insert. */
async function indexChunks(env: Env, row: MemoryRow, chunks: ChunkInput[]) {
  const rows = chunks.map((chunk, ordinal) => ({
    id: newId(),
    memoryId: row.id,
    userId: row.userId,
    scope: row.scope,
    ordinal,
    content: chunk.content,
    citation: chunk.citation,
    createdAt: row.createdAt,
  }));
  if (!rows.length) return rows;
  const vectors = await embedderFor(env).embed(rows.map((r) => r.content));
  await vectorIndexFor(env).upsert(
    rows.map((r, i) => ({
      id: r.id,
      values: vectors[i]!,
      metadata: { owner: vectorOwner(row), category: row.category },
    })),
  );
  return rows;
}

/** Chunk rows go in D1 batches of this many (D1 limits bound parameters per statement). */
const CHUNK_INSERT_BATCH = 10;

function chunkInserts(db: Db, rows: Awaited<ReturnType<typeof indexChunks>>) {
  const statements = [];
  for (let i = 0; i < rows.length; i += CHUNK_INSERT_BATCH) {
    statements.push(db.insert(memoryChunks).values(rows.slice(i, i + CHUNK_INSERT_BATCH)));
  }
  return statements;
}

const auditValues = (row: MemoryRow) => ({
  category: row.category,
  tags: row.tags,
  scope: row.scope,
  source: row.source,
  expires_at: row.expiresAt ? new Date(row.expiresAt).toISOString() : null,
  content_chars: row.content.length,
});

export async function createMemory(
  env: Env,
  userId: string,
  input: MemoryInput,
  audit: { actor: Actor; meta: RequestMeta },
  chunks?: ChunkInput[],
): Promise<MemoryRow & { chunkCount: number }> {
  const db = getDb(env);
  const now = Date.now();
  const row: MemoryRow = {
    id: newId(),
    userId,
    ...input,
    fileId: input.fileId ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const chunkRows = await indexChunks(env, row, chunks ?? (await chunksOf(env, input.content)));
  await db.batch([
    db.insert(memories).values(row),
    ...chunkInserts(db, chunkRows),
    auditInsert(db, audit.meta, audit.actor, {
      ownerId: userId,
      action: "memory.create",
      resourceType: "memory",
      resourceId: row.id,
      newValues: auditValues(row),
    }),
  ]);
  return { ...row, chunkCount: chunkRows.length };
}

const live = (now: number) => or(isNull(memories.expiresAt), gt(memories.expiresAt, now));

/** A memory the user may read: their own, or a global one. */
export async function getReadableMemory(db: Db, userId: string, id: string): Promise<MemoryRow> {
  const row = await db.query.memories.findFirst({
    where: and(eq(memories.id, id), or(eq(memories.userId, userId), eq(memories.scope, "global")), live(Date.now())),
  });
  if (!row) throw new AppError(404, "not_found", "Memory not found");
  return row;
}

/** A memory the user may change: their own. A global memory of someone else's is readable but not theirs. */
export async function getOwnMemory(db: Db, userId: string, id: string): Promise<MemoryRow> {
  const row = await getReadableMemory(db, userId, id);
  if (row.userId !== userId) throw new AppError(403, "not_owner", "Only its author can change a global memory");
  return row;
}

export async function chunkCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const counts = await db
    .select({ memoryId: memoryChunks.memoryId, n: sql<number>`count(*)` })
    .from(memoryChunks)
    .where(inArray(memoryChunks.memoryId, ids))
    .groupBy(memoryChunks.memoryId);
  return new Map(counts.map((c) => [c.memoryId, c.n]));
}

export type MemoryFilters = {
  category?: string | undefined;
  tags?: string[] | undefined;
  scope?: MemoryScope | undefined;
  source?: MemorySource | undefined;
  fileId?: string | undefined;
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
};

/** The filters as SQL over `memories` (shared by lists and search). */
export function memoryFilterSql(filters: MemoryFilters): Array<SQL | undefined> {
  return [
    filters.category ? eq(memories.category, filters.category) : undefined,
    filters.scope ? eq(memories.scope, filters.scope) : undefined,
    filters.source ? eq(memories.source, filters.source) : undefined,
    filters.fileId ? eq(memories.fileId, filters.fileId) : undefined,
    filters.createdAfter !== undefined ? gte(memories.createdAt, filters.createdAfter) : undefined,
    filters.createdBefore !== undefined ? lte(memories.createdAt, filters.createdBefore) : undefined,
    ...(filters.tags ?? []).map(
      (tag) => sql`EXISTS (SELECT 1 FROM json_each(${memories.tags}) WHERE json_each.value = ${tag})`,
    ),
  ];
}

/** Everything this user may read: their own memories and global ones, unexpired. */
export const readableBy = (userId: string, now = Date.now()) =>
  and(or(eq(memories.userId, userId), eq(memories.scope, "global")), live(now));

export async function listMemories(
  db: Db,
  userId: string,
  query: MemoryFilters & { limit: number; cursor?: string | undefined },
) {
  const page = keyset(memories, query.cursor);
  const rows = await db
    .select()
    .from(memories)
    .where(and(readableBy(userId), ...memoryFilterSql(query), page.where))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  const counts = await chunkCounts(
    db,
    rows.map((row) => row.id),
  );
  return toPage(rows, query.limit, (row) => ({ ...row, chunkCount: counts.get(row.id) ?? 0 }));
}

export type MemoryPatch = Partial<
  Pick<MemoryInput, "content" | "category" | "tags" | "metadata" | "scope" | "expiresAt">
>;

export async function updateMemory(
  env: Env,
  row: MemoryRow,
  patch: MemoryPatch,
  audit: { actor: Actor; meta: RequestMeta },
) {
  const db = getDb(env);
  const next: MemoryRow = { ...row, ...patch, updatedAt: Date.now() };
  const reindex = next.content !== row.content || next.scope !== row.scope || next.category !== row.category;
  const oldChunks = reindex
    ? await db.select({ id: memoryChunks.id }).from(memoryChunks).where(eq(memoryChunks.memoryId, row.id))
    : [];
  const newChunks = reindex ? await indexChunks(env, next, await chunksOf(env, next.content)) : [];
  await db.batch([
    db
      .update(memories)
      .set({ ...patch, updatedAt: next.updatedAt })
      .where(and(eq(memories.id, row.id), eq(memories.userId, row.userId))),
    ...(reindex
      ? [db.delete(memoryChunks).where(eq(memoryChunks.memoryId, row.id)), ...chunkInserts(db, newChunks)]
      : []),
    auditInsert(db, audit.meta, audit.actor, {
      ownerId: row.userId,
      action: "memory.update",
      resourceType: "memory",
      resourceId: row.id,
      oldValues: auditValues(row),
      newValues: auditValues(next),
    }),
  ]);
  if (reindex) {
    await vectorIndexFor(env).delete(
      vectorOwner(row),
      oldChunks.map((chunk) => chunk.id),
    );
  }
  const counts = await chunkCounts(db, [row.id]);
  return { ...next, chunkCount: counts.get(row.id) ?? 0 };
}

/** Deletes up to 50 memories (rows, then vectors); `audit` is absent for system deletions (expiry). */
export async function deleteMemories(env: Env, rows: MemoryRow[], audit?: { actor: Actor; meta: RequestMeta }) {
  if (!rows.length) return;
  const db = getDb(env);
  const ids = rows.map((row) => row.id);
  const chunks = await db
    .select({ id: memoryChunks.id, memoryId: memoryChunks.memoryId })
    .from(memoryChunks)
    .where(inArray(memoryChunks.memoryId, ids));
  await db.batch([
    db.delete(memories).where(inArray(memories.id, ids)),
    ...(audit
      ? rows.map((row) =>
          auditInsert(db, audit.meta, audit.actor, {
            ownerId: row.userId,
            action: "memory.delete",
            resourceType: "memory",
            resourceId: row.id,
            oldValues: auditValues(row),
          }),
        )
      : []),
  ]);
  const index = vectorIndexFor(env);
  for (const row of rows) {
    await index.delete(
      vectorOwner(row),
      chunks.filter((chunk) => chunk.memoryId === row.id).map((chunk) => chunk.id),
    );
  }
}

/** The cron's part: memories past `expires_at`, with their chunks and vectors. */
export async function purgeExpiredMemories(env: Env, now = Date.now(), batch = 50): Promise<number> {
  const db = getDb(env);
  let removed = 0;
  for (;;) {
    const expired = await db.select().from(memories).where(lte(memories.expiresAt, now)).limit(batch);
    await deleteMemories(env, expired);
    removed += expired.length;
    if (expired.length < batch) return removed;
  }
}
