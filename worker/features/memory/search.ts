/**
 * Memory search: keyword (D1 FTS5, BM25), vector (the VectorIndex, cosine), and
 * hybrid — both lists fused by reciprocal rank fusion (score = Σ 1/(60 + rank)),
 * which needs no score calibration between the two. Filters (category, tags,
 * scope, source, file, time) apply to both; every result is read back from D1,
 * so only unexpired memories the user may read are ever returned.
 * Used by the search route, the memory_search tool and knowledgeContext.
 */

import { and, eq, type SQL, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { memories, memoryChunks } from "../../db/schema";
import { AppError } from "../../errors";
import { ftsExpression } from "../../lib/fts-query";
import { observe } from "../observability/collector";
import { embedderFor, words } from "./embedder";
import { SEARCH_MODES, type SearchHit, type SearchMode } from "./search-result";
import { GLOBAL_OWNER, type MemoryFilters, type MemoryRow, memoryFilterSql, readableBy } from "./service";
import { MAX_TOP_K, vectorIndexFor } from "./vector-index";

export { SEARCH_MODES, type SearchHit, type SearchMode };

/** The usual RRF constant: damps the weight of the very first ranks. */
const RRF_K = 60;
/** Candidates each retriever contributes before fusion. */
const CANDIDATES = 50;

export type SearchRequest = { query: string; mode: SearchMode; limit: number; filters: MemoryFilters };

/** An FTS5 query matching any of the words (each quoted, so no word is read as an operator). */
export function ftsQuery(text: string): string | undefined {
  return ftsExpression([...new Set(words(text))].slice(0, 32), { match: "any" }) ?? undefined;
}

/** `chunk id IN (…)` with one bound parameter however many ids (D1 allows 100 per statement). */
const chunkIdIn = (ids: string[]): SQL =>
  sql`${memoryChunks.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

async function keywordRanks(env: Env, userId: string, request: SearchRequest, limit: number): Promise<string[]> {
  const match = ftsQuery(request.query);
  if (!match) return [];
  const rows = await getDb(env)
    .select({ id: memoryChunks.id })
    .from(sql`memory_search`)
    .innerJoin(memoryChunks, sql`${memoryChunks.seq} = memory_search.rowid`)
    .innerJoin(memories, eq(memories.id, memoryChunks.memoryId))
    .where(and(sql`memory_search MATCH ${match}`, readableBy(userId), ...memoryFilterSql(request.filters)))
    .orderBy(sql`bm25(memory_search)`)
    .limit(limit);
  return rows.map((row) => row.id);
}

async function vectorRanks(env: Env, userId: string, request: SearchRequest, limit: number): Promise<string[]> {
  if (!request.query.trim()) return [];
  const embedder = embedderFor(env);
  const [vector] = await embedder.embed([request.query]);
  const owners =
    request.filters.scope === "global"
      ? [GLOBAL_OWNER]
      : request.filters.scope === "user"
        ? [userId]
        : [userId, GLOBAL_OWNER];
  const matches = await vectorIndexFor(env).query(vector!, {
    // Over-fetch: filters the index cannot apply (tags, time, source) drop some candidates below.
    topK: MAX_TOP_K,
    owners,
    category: request.filters.category,
  });
  const allowed = await readableChunks(
    env,
    userId,
    request.filters,
    matches.map((m) => m.id),
  );
  return matches
    .filter((m) => m.score > embedder.noiseFloor && allowed.has(m.id))
    .map((m) => m.id)
    .slice(0, limit);
}

/** Which of these chunks the user may read under the filters. */
async function readableChunks(env: Env, userId: string, filters: MemoryFilters, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await getDb(env)
    .select({ id: memoryChunks.id })
    .from(memoryChunks)
    .innerJoin(memories, eq(memories.id, memoryChunks.memoryId))
    .where(and(chunkIdIn(ids), readableBy(userId), ...memoryFilterSql(filters)));
  return new Set(rows.map((row) => row.id));
}

/** Reciprocal rank fusion of ranked id lists. */
export function fuse(lists: string[][]): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + i + 1));
    });
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

async function hydrate(env: Env, ids: string[]) {
  if (!ids.length) return new Map<string, { chunk: typeof memoryChunks.$inferSelect; memory: MemoryRow }>();
  const rows = await getDb(env)
    .select({ chunk: memoryChunks, memory: memories })
    .from(memoryChunks)
    .innerJoin(memories, eq(memories.id, memoryChunks.memoryId))
    .where(chunkIdIn(ids));
  return new Map(rows.map((row) => [row.chunk.id, row]));
}

/** The hits, and the mode that produced them: hybrid answers keyword-only while the embedder is down. */
export type SearchOutcome = { mode: SearchMode; hits: SearchHit[] };

export async function searchMemories(env: Env, userId: string, request: SearchRequest): Promise<SearchHit[]> {
  return (await searchMemoriesWithMode(env, userId, request)).hits;
}

export async function searchMemoriesWithMode(env: Env, userId: string, request: SearchRequest): Promise<SearchOutcome> {
  const started = performance.now();
  const outcome = await search(env, userId, request);
  observe("memory_search_duration_seconds", { mode: outcome.mode }, (performance.now() - started) / 1000);
  return outcome;
}

/**
 * Hybrid keeps answering from keyword alone when the embedding model fails (a 503 from
 * the embedder): an agent's context or a user's search is better served by keyword hits
 * than by an error. Vector-only has nothing to fall back on and passes the 503 on.
 */
async function vectorRanksOrNone(env: Env, userId: string, request: SearchRequest, depth: number) {
  try {
    return await vectorRanks(env, userId, request, depth);
  } catch (error) {
    if (request.mode !== "hybrid" || !(error instanceof AppError) || error.status !== 503) throw error;
    console.warn(JSON.stringify({ level: "warn", msg: "hybrid search fell back to keyword", code: error.code }));
    return null;
  }
}

async function search(env: Env, userId: string, request: SearchRequest): Promise<SearchOutcome> {
  const depth = request.mode === "hybrid" ? CANDIDATES : request.limit;
  const [keyword, ranked]: [string[], string[] | null] = await Promise.all([
    request.mode === "vector" ? [] : keywordRanks(env, userId, request, depth),
    request.mode === "keyword" ? [] : vectorRanksOrNone(env, userId, request, depth),
  ]);
  const mode: SearchMode = ranked === null ? "keyword" : request.mode;
  const vector = ranked ?? [];
  const fused = fuse([keyword, vector]).slice(0, request.limit);
  const rows = await hydrate(
    env,
    fused.map((hit) => hit.id),
  );
  const hits = fused.flatMap((hit) => {
    const row = rows.get(hit.id);
    if (!row) return [];
    const keywordAt = keyword.indexOf(hit.id);
    const vectorAt = vector.indexOf(hit.id);
    return [
      {
        chunkId: hit.id,
        memory: row.memory,
        content: row.chunk.content,
        citation: row.chunk.citation,
        score: hit.score,
        keywordRank: keywordAt < 0 ? null : keywordAt + 1,
        vectorRank: vectorAt < 0 ? null : vectorAt + 1,
      },
    ];
  });
  return { mode, hits };
}
