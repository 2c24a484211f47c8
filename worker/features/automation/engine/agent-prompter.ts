/**
 * What an agent-prompt step needs from the platform: send one prompt to one of the
 * user's agents and get its final answer. The real one is ./chat-prompter.ts;
 * ./deps.ts holds the one in use, so tests can swap it.
 */
import type { Scope } from "../../auth/scopes";

export type AgentPromptRequest = {
  userId: string;
  scopes: ReadonlySet<Scope>;
  agentId: string;
  prompt: string;
  /** Stable across retries of the same step, so a resumed run can find an answer already given. */
  idempotencyKey: string;
  signal: AbortSignal;
};

export type AgentAnswer =
  | { ok: true; text: string; costMicros: number; sessionId?: string }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Sends one prompt to one of the user's agents and returns its final answer. */
export interface AgentPrompter {
  prompt(env: Env, request: AgentPromptRequest): Promise<AgentAnswer>;
}
