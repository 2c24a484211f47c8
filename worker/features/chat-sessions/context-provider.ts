/**
 * The retrieval hook of the chat pipeline: before each model step, every
 * ContextProvider may add snippets (with where they came from) to the system
 * prompt. None are registered by default; the memory feature plugs in here
 * through `pipelineDeps().context` (deps.ts).
 */
import type { AgentConfig } from "../../db/schema";

export type ContextQuery = {
  userId: string;
  agentId: string;
  sessionId: string;
  /** The user's latest message. */
  text: string;
  agentConfig: AgentConfig;
  /** At most this many snippets are used from each provider. */
  limit: number;
};

export type ContextSnippet = {
  text: string;
  citation: { title: string; url?: string };
};

export interface ContextProvider {
  readonly name: string;
  /** Should honour `signal`; the pipeline stops waiting after a short timeout either way. */
  retrieve(env: Env, query: ContextQuery, signal: AbortSignal): Promise<ContextSnippet[]>;
}

/** A source the final answer cites: a retrieved snippet, or a URL a tool returned. */
export type Citation = {
  source: "context" | "tool";
  title: string;
  url?: string;
  provider?: string;
  tool?: string;
  call_id?: string;
};
