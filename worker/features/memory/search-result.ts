/**
 * What a memory search returns: its modes and one hit. Apart from search.ts, so that
 * schemas.ts (and through it the console and the CLI, for types) need not load the
 * search service and the bindings it uses.
 */
import type { ChunkCitation, memories } from "../../db/schema";

export const SEARCH_MODES = ["hybrid", "keyword", "vector"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export type SearchHit = {
  chunkId: string;
  memory: typeof memories.$inferSelect;
  content: string;
  citation: ChunkCitation;
  score: number;
  keywordRank: number | null;
  vectorRank: number | null;
};
