/**
 * `knowledgeContext`: what the chat pipeline's retrieval hook (ContextProvider in
 * worker/features/chat-sessions/context-provider.ts) asks for before a model call — the chunks of memory and indexed
 * files most relevant to the user's message, each with a citation the answer
 * can point to ("[2] report.pdf, page 3").
 */
import { getConfig } from "../config/service";
import { searchMemories } from "../memory/search";

export type KnowledgeChunk = {
  /** 1-based, the number an answer cites as [n]. */
  ref: number;
  text: string;
  score: number;
  citation: {
    memory_id: string;
    chunk_id: string;
    category: string;
    file_id?: string;
    filename?: string;
    page?: number;
    sheet?: string;
    heading?: string;
  };
  /** A short human label for the source: `report.pdf, page 3`, `sales.xlsx, sheet Q1`, `memory (policy)`. */
  label: string;
};

function labelOf(citation: KnowledgeChunk["citation"]): string {
  if (!citation.filename) return `memory (${citation.category})`;
  const where = citation.page
    ? `page ${citation.page}`
    : citation.sheet
      ? `sheet ${citation.sheet}`
      : citation.heading
        ? `“${citation.heading}”`
        : undefined;
  return where ? `${citation.filename}, ${where}` : citation.filename;
}

/** The top chunks for `query` among the user's memories, indexed files and global memories. */
export async function knowledgeContext(
  env: Env,
  userId: string,
  query: string,
  limit?: number,
): Promise<KnowledgeChunk[]> {
  if (!query.trim()) return [];
  const count = limit ?? (await getConfig(env, "knowledge")).context_chunks;
  const hits = await searchMemories(env, userId, { query, mode: "hybrid", limit: count, filters: {} });
  return hits.map((hit, i) => {
    const citation = {
      memory_id: hit.memory.id,
      chunk_id: hit.chunkId,
      category: hit.memory.category,
      ...hit.citation,
    };
    return { ref: i + 1, text: hit.content, score: hit.score, citation, label: labelOf(citation) };
  });
}

/** The chunks as a system-prompt block the model can cite from. */
export function formatKnowledge(chunks: KnowledgeChunk[]): string {
  if (!chunks.length) return "";
  return [
    "Relevant knowledge (cite as [n] when you use it):",
    ...chunks.map((chunk) => `[${chunk.ref}] (${chunk.label})\n${chunk.text}`),
  ].join("\n\n");
}
