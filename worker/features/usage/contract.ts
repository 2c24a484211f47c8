/**
 * Usage and budgets, as the chat pipeline sees them. Implemented in ./service.ts.
 * Money is integer micro-dollars (1 USD = 1_000_000).
 */
import type { BudgetPeriod, BudgetScope } from "../../db/schema";

export type UsageSubject = { userId: string; agentId: string; sessionId: string };

/** What the next model step could spend: prompt estimate plus its output cap, priced. */
export type SpendEstimate = { tokens: number; costMicros: number };

export type BudgetBreach = {
  budgetId: string;
  scope: BudgetScope;
  period: BudgetPeriod;
  limit: { tokens: number | null; costMicros: number | null };
  used: { tokens: number; costMicros: number };
  estimate: SpendEstimate;
};

/** One model step or tool run, after it happened. */
export type UsageRecord = {
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  toolCalls: number;
  /** Counted once per user turn (an "agent interaction"). */
  interaction: boolean;
  /** Set on the step that ends a turn: time from the user's message to the final answer. */
  responseMs?: number;
  /** Set when a session's first turn starts (agent sessions count). */
  newSession?: boolean;
  /**
   * Messages this step persisted, for the agent's message count and the session's
   * message_count. When left out: 1 for the user's message on an interaction plus
   * 1 for the final answer on the step that sets `responseMs`.
   */
  messages?: number;
};

export interface UsageLedger {
  /** The first budget (user, agent or session; day, month or total) that `estimate` would cross, or null. */
  checkBudgets(env: Env, subject: UsageSubject, estimate: SpendEstimate): Promise<BudgetBreach | null>;
  /** Adds to usage_daily, agent_usage_daily and the chat_sessions totals in one D1 batch. */
  record(env: Env, subject: UsageSubject, usage: UsageRecord): Promise<void>;
}
