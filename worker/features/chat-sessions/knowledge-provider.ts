/**
 * The memory issue's hook into the chat pipeline: before a model step, the user's
 * memories and indexed files are searched (hybrid keyword + vector) with the
 * latest message, and the best chunks join the context with citations back to
 * their file and page or sheet. Off for agents whose config says
 * `memory_retrieval: false`.
 */
import { knowledgeContext } from "../knowledge/context";
import type { ContextProvider } from "./context-provider";

/** The search reads the start of the message: enough to find what it is about, and a pasted 2 MB document stays cheap. */
const MAX_QUERY_CHARS = 1_000;

export const knowledgeProvider: ContextProvider = {
  name: "knowledge",
  async retrieve(env, query, signal) {
    if (query.agentConfig.memory_retrieval === false) return [];
    signal.throwIfAborted();
    const chunks = await knowledgeContext(env, query.userId, query.text.slice(0, MAX_QUERY_CHARS), query.limit);
    return chunks.map((chunk) => ({
      text: chunk.text,
      citation: {
        title: chunk.label,
        ...(chunk.citation.file_id ? { url: `/api/v1/files/${chunk.citation.file_id}` } : {}),
      },
    }));
  },
};
