/**
 * The usage ledger (./contract.ts) the chat pipeline calls around each model step:
 * `checkBudgets` before it (one D1 batch: the budgets that apply and, only where a
 * budget exists, the spend they limit) and `record` after it (one D1 batch of
 * upserts into the daily rows and the session's totals).
 */
import type { BudgetPeriod, BudgetScope } from "../../db/schema";
import type { EventData } from "../events/catalog";
import type { BudgetBreach, SpendEstimate, UsageLedger, UsageRecord, UsageSubject } from "./contract";
import { utcDay } from "./days";
import type { PeriodSpend, Spend } from "./schemas";
import { readSpend, spendStatement } from "./spend";

export type BudgetRow = {
  id: string;
  scope: BudgetScope;
  scope_id: string;
  period: BudgetPeriod;
  max_tokens: number | null;
  max_cost_micros: number | null;
};

const SCOPE_ORDER: Record<BudgetScope, number> = { user: 0, agent: 1, session: 2 };
const PERIOD_ORDER: Record<BudgetPeriod, number> = { day: 0, month: 1, total: 2 };

const APPLICABLE_BUDGETS = `SELECT id, scope, scope_id, period, max_tokens, max_cost_micros FROM budgets
  WHERE user_id = ?1 AND ((scope = 'user' AND scope_id = '') OR (scope = 'agent' AND scope_id = ?2)
    OR (scope = 'session' AND scope_id = ?3))`;

/** True when spending `estimate` on top of `used` would go past a limit (reaching it exactly is allowed). */
function crosses(budget: BudgetRow, used: Spend, estimate: SpendEstimate): boolean {
  const overTokens = budget.max_tokens !== null && used.tokens + estimate.tokens > budget.max_tokens;
  const overCost = budget.max_cost_micros !== null && used.costMicros + estimate.costMicros > budget.max_cost_micros;
  return overTokens || overCost;
}

/** The first budget, broadest scope and shortest period first, that the estimate would cross. */
export function firstBreach(
  budgets: BudgetRow[],
  spendOf: (budget: BudgetRow) => PeriodSpend,
  estimate: SpendEstimate,
): BudgetBreach | null {
  const ordered = [...budgets].sort(
    (a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || PERIOD_ORDER[a.period] - PERIOD_ORDER[b.period],
  );
  for (const budget of ordered) {
    const used = spendOf(budget)[budget.period];
    if (!crosses(budget, used, estimate)) continue;
    return {
      budgetId: budget.id,
      scope: budget.scope,
      period: budget.period,
      limit: { tokens: budget.max_tokens, costMicros: budget.max_cost_micros },
      used,
      estimate,
    };
  }
  return null;
}

async function checkBudgets(env: Env, subject: UsageSubject, estimate: SpendEstimate): Promise<BudgetBreach | null> {
  const { userId, agentId, sessionId } = subject;
  const today = utcDay();
  const [budgets, user, agent, session] = await env.DB.batch([
    env.DB.prepare(APPLICABLE_BUDGETS).bind(userId, agentId, sessionId),
    spendStatement(env, userId, "user", userId, today, true),
    spendStatement(env, userId, "agent", agentId, today, true),
    spendStatement(env, userId, "session", sessionId, today, true),
  ]);
  const rows = (budgets?.results ?? []) as BudgetRow[];
  if (rows.length === 0) return null;
  const spend = { user: readSpend(user), agent: readSpend(agent), session: readSpend(session) };
  return firstBreach(rows, (budget) => spend[budget.scope], estimate);
}

/** A whole, non-negative amount: a bad number from a provider's usage report must never subtract or poison a row. */
const count = (value: number | undefined) => (Number.isFinite(value) ? Math.max(0, Math.round(value!)) : 0);

/** Messages a step adds when the pipeline does not say: the user's (on an interaction) and the final answer. */
function messagesOf(usage: UsageRecord): number {
  if (usage.messages !== undefined) return count(usage.messages);
  return (usage.interaction ? 1 : 0) + (usage.responseMs !== undefined ? 1 : 0);
}

// Each insert checks its parent row exists, so a user or agent deleted mid-turn
// loses that row's usage instead of failing the whole batch on a foreign key.
const UPSERT_USER_DAY = `INSERT INTO usage_daily
    (user_id, day, agent_interactions, input_tokens, output_tokens, tool_calls, cost_micros)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
  ON CONFLICT (user_id, day) DO UPDATE SET
    agent_interactions = agent_interactions + excluded.agent_interactions,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    tool_calls = tool_calls + excluded.tool_calls,
    cost_micros = cost_micros + excluded.cost_micros`;

const UPSERT_AGENT_DAY = `INSERT INTO agent_usage_daily
    (agent_id, user_id, day, messages, sessions, input_tokens, output_tokens, cost_micros, response_ms_total, responses)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE EXISTS (SELECT 1 FROM agents WHERE id = ?1 AND user_id = ?2)
  ON CONFLICT (agent_id, day) DO UPDATE SET
    messages = messages + excluded.messages,
    sessions = sessions + excluded.sessions,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cost_micros = cost_micros + excluded.cost_micros,
    response_ms_total = response_ms_total + excluded.response_ms_total,
    responses = responses + excluded.responses`;

/** Spend only: the session's message_count and last_message_at belong to its Durable Object, which writes them as messages persist. */
const UPDATE_SESSION = `UPDATE chat_sessions SET
    input_tokens = input_tokens + ?3,
    output_tokens = output_tokens + ?4,
    cost_micros = cost_micros + ?5
  WHERE id = ?1 AND user_id = ?2`;

async function record(env: Env, subject: UsageSubject, usage: UsageRecord): Promise<void> {
  const now = Date.now();
  const day = utcDay(now);
  const [input, output, cost] = [count(usage.inputTokens), count(usage.outputTokens), count(usage.costMicros)];
  const messages = messagesOf(usage);
  const responded = usage.responseMs !== undefined;
  await env.DB.batch([
    env.DB.prepare(UPSERT_USER_DAY).bind(
      subject.userId,
      day,
      usage.interaction ? 1 : 0,
      input,
      output,
      count(usage.toolCalls),
      cost,
    ),
    env.DB.prepare(UPSERT_AGENT_DAY).bind(
      subject.agentId,
      subject.userId,
      day,
      messages,
      usage.newSession ? 1 : 0,
      input,
      output,
      cost,
      count(usage.responseMs),
      responded ? 1 : 0,
    ),
    env.DB.prepare(UPDATE_SESSION).bind(subject.sessionId, subject.userId, input, output, cost),
  ]);
}

export const usageLedger: UsageLedger = { checkBudgets, record };

/** The live-hub event for a turn stopped by `breach` (publish with publishEvent; the session stream says it too). */
export function budgetExceededEvent(subject: UsageSubject, breach: BudgetBreach): EventData<"usage.budget_exceeded"> {
  return {
    budget_id: breach.budgetId,
    scope: breach.scope,
    period: breach.period,
    agent_id: subject.agentId,
    session_id: subject.sessionId,
  };
}
