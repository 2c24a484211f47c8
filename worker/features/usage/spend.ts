/**
 * What a budget's subject has spent so far, per period: small indexed queries the
 * ledger (before each model step) and the budgets list run in one D1 batch.
 * User budgets count usage_daily, agent budgets agent_usage_daily (both keyed by
 * subject then day), and session budgets the chat_sessions totals: a session's
 * day, month and total periods all count its whole life.
 */
import type { BudgetPeriod, BudgetScope } from "../../db/schema";
import { monthStart } from "./days";
import type { PeriodSpend } from "./schemas";

export const NO_SPEND: PeriodSpend = {
  day: { tokens: 0, costMicros: 0 },
  month: { tokens: 0, costMicros: 0 },
  total: { tokens: 0, costMicros: 0 },
};

type SpendRow = Record<`${BudgetPeriod}_${"tokens" | "cost"}`, number>;

/**
 * Day, month and all-time sums over a daily table; `?1` is the owner, `?2` the subject column's value.
 * The owner check is written `+user_id` so SQLite walks the (subject, day) primary key, not the owner's index.
 */
function dailySums(table: "usage_daily" | "agent_usage_daily", subjectColumn: string, guard: string) {
  const tokens = "input_tokens + output_tokens";
  return `SELECT
      COALESCE(SUM(CASE WHEN day = ?3 THEN ${tokens} END), 0) AS day_tokens,
      COALESCE(SUM(CASE WHEN day = ?3 THEN cost_micros END), 0) AS day_cost,
      COALESCE(SUM(CASE WHEN day >= ?4 THEN ${tokens} END), 0) AS month_tokens,
      COALESCE(SUM(CASE WHEN day >= ?4 THEN cost_micros END), 0) AS month_cost,
      COALESCE(SUM(${tokens}), 0) AS total_tokens,
      COALESCE(SUM(cost_micros), 0) AS total_cost
    FROM ${table} WHERE ${subjectColumn} = ?2 AND +user_id = ?1${guard}`;
}

const SESSION_SUMS = `SELECT
    input_tokens + output_tokens AS day_tokens, cost_micros AS day_cost,
    input_tokens + output_tokens AS month_tokens, cost_micros AS month_cost,
    input_tokens + output_tokens AS total_tokens, cost_micros AS total_cost
  FROM chat_sessions WHERE id = ?2 AND user_id = ?1`;

/**
 * With `onlyIfBudgeted`, the query reads nothing unless the user has a budget of
 * that scope for that subject, so a turn without budgets costs one cheap index probe per scope.
 */
function guardFor(scope: BudgetScope, onlyIfBudgeted: boolean) {
  return onlyIfBudgeted
    ? ` AND EXISTS (SELECT 1 FROM budgets WHERE user_id = ?1 AND scope = '${scope}' AND scope_id = ${scope === "user" ? "''" : "?2"})`
    : "";
}

const SQL_BY_SCOPE = (onlyIfBudgeted: boolean): Record<BudgetScope, string> => ({
  user: dailySums("usage_daily", "user_id", guardFor("user", onlyIfBudgeted)),
  agent: dailySums("agent_usage_daily", "agent_id", guardFor("agent", onlyIfBudgeted)),
  session: `${SESSION_SUMS}${guardFor("session", onlyIfBudgeted)}`,
});
const GUARDED = SQL_BY_SCOPE(true);
const UNGUARDED = SQL_BY_SCOPE(false);

/** The statement summing one subject's spend; `subjectId` is the user id for user scope. */
export function spendStatement(
  env: Env,
  userId: string,
  scope: BudgetScope,
  subjectId: string,
  today: string,
  onlyIfBudgeted = false,
): D1PreparedStatement {
  const statement = env.DB.prepare((onlyIfBudgeted ? GUARDED : UNGUARDED)[scope]);
  return scope === "session"
    ? statement.bind(userId, subjectId)
    : statement.bind(userId, subjectId, today, monthStart(today));
}

/** Reads a spend statement's result; a missing session row is no spend. */
export function readSpend(result: D1Result | undefined): PeriodSpend {
  const row = result?.results[0] as SpendRow | undefined;
  if (!row) return NO_SPEND;
  return {
    day: { tokens: row.day_tokens, costMicros: row.day_cost },
    month: { tokens: row.month_tokens, costMicros: row.month_cost },
    total: { tokens: row.total_tokens, costMicros: row.total_cost },
  };
}
