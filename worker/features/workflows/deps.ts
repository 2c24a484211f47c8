/**
 * The seam between automation and the rest of the platform: tool-call steps run
 * through a ToolRuntime (worker/features/tools/contract.ts) and agent-prompt steps
 * through an AgentPrompter. Tool steps use the real tool runtime; agent-prompt
 * steps still answer through a stand-in that checks the agent is the user's (the
 * chat pipeline's one-shot entry point is the next step). Tests override either
 * with `setAutomationDeps`.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { agents } from "../../db/schema";
import type { Scope } from "../auth/scopes";
import type { ToolRuntime } from "../tools/contract";
import { toolRuntime } from "../tools/runtime";

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

export type AutomationDeps = { tools: ToolRuntime; agents: AgentPrompter };

/** Stand-in prompter: checks the agent is the user's and answers with a canned reply. */
const standInAgents: AgentPrompter = {
  async prompt(env, request) {
    const agent = await getDb(env).query.agents.findFirst({
      where: and(eq(agents.id, request.agentId), eq(agents.userId, request.userId)),
    });
    if (!agent) return { ok: false, code: "agent_not_found", message: "No such agent", retryable: false };
    return { ok: true, text: `[${agent.name}] ${request.prompt}`, costMicros: 0 };
  },
};

let current: AutomationDeps = { tools: toolRuntime, agents: standInAgents };

export function automationDeps(): AutomationDeps {
  return current;
}

/** Replaces some dependencies; returns a function that restores the previous ones. */
export function setAutomationDeps(next: Partial<AutomationDeps>): () => void {
  const previous = current;
  current = { ...current, ...next };
  return () => {
    current = previous;
  };
}
