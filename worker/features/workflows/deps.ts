/**
 * The seam between automation and the rest of the platform: tool-call steps run
 * through a ToolRuntime (worker/features/tools/contract.ts) and agent-prompt steps
 * through an AgentPrompter. Until the agents issue lands, stand-ins answer here;
 * integration replaces them with `setAutomationDeps` (once, at module load of the
 * real runtime), and tests override them the same way.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { agents } from "../../db/schema";
import type { Scope } from "../auth/scopes";
import type { ToolRuntime } from "../tools/contract";

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

/** Stand-in tool runtime: `echo` returns its input; every other tool is unknown. */
const standInTools: ToolRuntime = {
  async list() {
    return [
      {
        name: "echo",
        description: "Returns its input (stand-in until the tool runtime is wired)",
        inputSchema: { type: "object" },
        dangerous: false,
        timeoutMs: 5_000,
        cacheTtlSeconds: 0,
        scopes: ["tools:execute"],
        extension: "core",
      },
    ];
  },
  async execute(_env, caller, name, input) {
    const base = { executionId: crypto.randomUUID(), executionTimeMs: 0, costMicros: 0 };
    if (!caller.scopes.has("tools:execute"))
      return { ...base, status: "forbidden", error: { code: "forbidden", message: "needs tools:execute" } };
    if (name !== "echo") return { ...base, status: "rejected", error: { code: "unknown_tool", message: name } };
    return { ...base, status: "succeeded", output: input };
  },
};

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

let current: AutomationDeps = { tools: standInTools, agents: standInAgents };

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
