/**
 * Usage reports for GET /usage and GET /usage/agents: a user's daily rows over a
 * range with the empty days filled in, and per-agent totals over the same range.
 */
import { AppError } from "../../errors";
import { addDays, daysBetween, utcDay } from "./days";
import { MAX_RANGE_DAYS, toUsd, type UsageCountsDto } from "./schemas";

export type DayRange = { from: string; to: string };

/** The range asked for, defaulting to the 30 days up to today; 422 when reversed or longer than a year. */
export function resolveRange(query: { from?: string | undefined; to?: string | undefined }): DayRange {
  const to = query.to ?? utcDay();
  const from = query.from ?? addDays(to, -29);
  if (from > to) throw new AppError(422, "invalid_range", "`from` must not be after `to`", { from, to });
  const days = daysBetween(from, to).length;
  if (days > MAX_RANGE_DAYS) {
    throw new AppError(422, "range_too_long", `Ask for at most ${MAX_RANGE_DAYS} days at a time`, {
      from,
      to,
      days,
      max_days: MAX_RANGE_DAYS,
    });
  }
  return { from, to };
}

type Counters = {
  api_calls: number;
  agent_interactions: number;
  input_tokens: number;
  output_tokens: number;
  tool_calls: number;
  cost_micros: number;
};

const ZERO: Counters = {
  api_calls: 0,
  agent_interactions: 0,
  input_tokens: 0,
  output_tokens: 0,
  tool_calls: 0,
  cost_micros: 0,
};
const KEYS = Object.keys(ZERO) as (keyof Counters)[];

const add = (a: Counters, b: Counters) => Object.fromEntries(KEYS.map((key) => [key, a[key] + b[key]])) as Counters;

function counts(row: Counters): UsageCountsDto {
  const { cost_micros, ...rest } = row;
  return { ...rest, cost_usd: toUsd(cost_micros) };
}

export async function dailyUsage(env: Env, userId: string, range: DayRange) {
  const { results } = await env.DB.prepare(
    `SELECT day, ${KEYS.join(", ")} FROM usage_daily WHERE user_id = ? AND day BETWEEN ? AND ? ORDER BY day`,
  )
    .bind(userId, range.from, range.to)
    .all<Counters & { day: string }>();
  const byDay = new Map(results.map(({ day, ...row }) => [day, row]));
  return {
    ...range,
    days: daysBetween(range.from, range.to).map((day) => ({ day, ...counts(byDay.get(day) ?? ZERO) })),
    totals: counts([...byDay.values()].reduce(add, ZERO)),
  };
}

type AgentRow = {
  agent_id: string;
  name: string;
  messages: number;
  sessions: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  response_ms_total: number;
  responses: number;
};

export async function agentUsage(env: Env, userId: string, range: DayRange) {
  const { results } = await env.DB.prepare(
    `SELECT u.agent_id, a.name, SUM(u.messages) AS messages, SUM(u.sessions) AS sessions,
            SUM(u.input_tokens) AS input_tokens, SUM(u.output_tokens) AS output_tokens,
            SUM(u.cost_micros) AS cost_micros, SUM(u.response_ms_total) AS response_ms_total,
            SUM(u.responses) AS responses
       FROM agent_usage_daily u JOIN agents a ON a.id = u.agent_id AND a.user_id = u.user_id
      WHERE u.user_id = ? AND u.day BETWEEN ? AND ?
      GROUP BY u.agent_id
      ORDER BY cost_micros DESC, messages DESC, u.agent_id`,
  )
    .bind(userId, range.from, range.to)
    .all<AgentRow>();
  return {
    ...range,
    items: results.map((row) => ({
      agent_id: row.agent_id,
      name: row.name,
      messages: row.messages,
      sessions: row.sessions,
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      cost_usd: toUsd(row.cost_micros),
      avg_response_ms: row.responses > 0 ? Math.round(row.response_ms_total / row.responses) : null,
    })),
  };
}
