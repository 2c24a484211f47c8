/**
 * The relevance evaluation: the labelled set in test/fixtures/relevance
 * (handbook chunks, questions, the chunks that answer them) searched in each
 * mode; reports precision@5, recall@5 and MRR, and requires hybrid's MRR to beat
 * both keyword-only and vector-only. Uses the local hashing embedder, so the vector
 * side measures lexical-fuzzy similarity, not a semantic model.
 * Run alone: `npm run relevance` (prints the table).
 */
import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import set from "../../../test/fixtures/relevance/knowledge-set.json";
import { createUser } from "../../../test/worker/support/api";
import { SEARCH_MODES, type SearchMode, searchMemories } from "./search";
import { createMemory } from "./service";

type Scores = { precisionAt5: number; recallAt5: number; mrr: number };

let userId: string;
const keyOf = new Map<string, string>();

beforeAll(async () => {
  userId = (await createUser()).id;
  const audit = {
    actor: { type: "system" as const, id: null },
    meta: { ip: "test", userAgent: null, requestId: "relevance" },
  };
  for (const [key, content] of Object.entries(set.chunks)) {
    const memory = await createMemory(
      env,
      userId,
      { content, category: "handbook", tags: [], metadata: { key }, scope: "user", source: "manual", expiresAt: null },
      audit,
    );
    keyOf.set(memory.id, key);
  }
}, 60_000);

async function evaluate(mode: SearchMode): Promise<Scores> {
  let precision = 0;
  let recall = 0;
  let reciprocal = 0;
  for (const { query, relevant } of set.queries) {
    const hits = await searchMemories(env, userId, { query, mode, limit: 10, filters: {} });
    const keys = hits.map((hit) => keyOf.get(hit.memory.id));
    const top5 = keys.slice(0, 5).filter((key) => key && relevant.includes(key)).length;
    precision += top5 / 5;
    recall += top5 / relevant.length;
    const first = keys.findIndex((key) => key && relevant.includes(key));
    reciprocal += first < 0 ? 0 : 1 / (first + 1);
  }
  const n = set.queries.length;
  return { precisionAt5: precision / n, recallAt5: recall / n, mrr: reciprocal / n };
}

it("hybrid search has the best MRR and stays within three top-five hits of keyword", async () => {
  const results = {} as Record<SearchMode, Scores>;
  for (const mode of SEARCH_MODES) results[mode] = await evaluate(mode);
  const line = (mode: SearchMode) =>
    `| ${mode.padEnd(7)} | ${results[mode].precisionAt5.toFixed(3)} | ${results[mode].recallAt5.toFixed(3)} | ${results[mode].mrr.toFixed(3)} |`;
  console.log(
    [
      `relevance set: ${Object.keys(set.chunks).length} chunks, ${set.queries.length} queries`,
      "| mode    | P@5   | R@5   | MRR   |",
      "|---------|-------|-------|-------|",
      ...(["keyword", "vector", "hybrid"] as const).map(line),
    ].join("\n"),
  );
  for (const other of ["keyword", "vector"] as const) {
    expect(results.hybrid.mrr, `MRR hybrid vs ${other}`).toBeGreaterThan(results[other].mrr);
  }
  // With the lexical local embedder, fusion loses keyword three hits in its top fives on the
  // topic questions (docs/knowledge.md explains why). It must beat the vector side and lose no
  // more than that, so a fusion regression fails here.
  const oneHit = 1 / (5 * set.queries.length);
  expect(results.hybrid.precisionAt5, "P@5 hybrid vs vector").toBeGreaterThan(results.vector.precisionAt5);
  expect(results.hybrid.precisionAt5, "P@5 hybrid vs keyword").toBeGreaterThanOrEqual(
    results.keyword.precisionAt5 - 3 * oneHit - 1e-9,
  );
}, 60_000);
