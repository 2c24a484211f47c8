/**
 * "Load agent": each turn reads its agent fresh from D1 (an edit applies to the
 * next turn) and merges its configuration over the system's `agent_defaults`.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../../worker/db/client";
import { type AgentConfig, agents } from "../../../worker/db/schema";
import { getConfig } from "../../../worker/features/config/service";
import type { SessionRef } from "../protocol";

export type Agent = typeof agents.$inferSelect;

export type TurnSettings = {
  chain: string[];
  systemPrompt: string;
  toolNames: string[];
  maxSteps: number;
  maxOutputTokens: number;
  historyWindow: number;
  contextBudgetTokens: number;
  /** The agent's own limit for each tool call; each tool's own timeout otherwise. */
  toolTimeoutMs: number | null;
  defaultToolTimeoutMs: number;
  maxParallelTools: number;
  temperature: number | undefined;
  config: AgentConfig;
};

export const DEFAULT_MAX_OUTPUT_TOKENS = 1_024;

export async function loadAgent(env: Env, ref: SessionRef): Promise<Agent | null> {
  const [agent] = await getDb(env)
    .select()
    .from(agents)
    .where(and(eq(agents.id, ref.agentId), eq(agents.userId, ref.userId)))
    .limit(1);
  return agent ?? null;
}

export async function settingsFor(env: Env, agent: Agent): Promise<TurnSettings> {
  const defaults = await getConfig(env, "agent_defaults");
  const config = agent.config ?? {};
  return {
    chain: [agent.model || defaults.model, ...(agent.fallbackModels ?? [])],
    systemPrompt: agent.systemPrompt,
    toolNames: agent.tools ?? [],
    maxSteps: config.max_steps ?? defaults.max_steps,
    maxOutputTokens: config.max_output_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    historyWindow: config.history_window ?? defaults.history_window,
    contextBudgetTokens: config.context_budget_tokens ?? defaults.context_budget_tokens,
    toolTimeoutMs: config.tool_timeout_ms ?? null,
    defaultToolTimeoutMs: defaults.tool_timeout_ms,
    maxParallelTools: defaults.max_parallel_tools,
    temperature: config.temperature,
    config,
  };
}
