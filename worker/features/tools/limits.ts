/**
 * Per-tool limits for each user, from the `tool_limits` setting (the tool's own
 * entry, else `default`): a rate limit (calls per window, on the RateLimiter
 * Durable Object) and a daily quota (executions that ran today, UTC, counted in D1).
 */
import { and, count, eq, gte, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { toolExecutions } from "../../db/schema";
import { getConfig } from "../config/service";
import { consume } from "../rate-limits/limiter";

export type LimitVerdict = { ok: true } | { ok: false; code: string; message: string; retryAfterSeconds: number };

/** Statuses of executions that ran (or tried to): the ones a quota counts. */
const COUNTED = ["succeeded", "failed", "timed_out"] as const;
const DAY_MS = 86_400_000;

async function executionsToday(env: Env, userId: string, tool: string, dayStart: number): Promise<number> {
  const [row] = await getDb(env)
    .select({ n: count() })
    .from(toolExecutions)
    .where(
      and(
        eq(toolExecutions.userId, userId),
        eq(toolExecutions.tool, tool),
        gte(toolExecutions.createdAt, dayStart),
        inArray(toolExecutions.status, [...COUNTED]),
      ),
    );
  return row?.n ?? 0;
}

export async function checkToolLimits(env: Env, userId: string, tool: string): Promise<LimitVerdict> {
  const limits = await getConfig(env, "tool_limits");
  const rule = limits[tool] ?? limits.default ?? { limit: 60, window_seconds: 60 };
  const dayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const [decision, used] = await Promise.all([
    consume(env, `tool:${userId}:${tool}`, { limit: rule.limit, window_seconds: rule.window_seconds }),
    rule.daily_quota ? executionsToday(env, userId, tool, dayStart) : Promise.resolve(0),
  ]);
  if (!decision.allowed)
    return {
      ok: false,
      code: "rate_limited",
      message: `${tool} allows ${rule.limit} calls per ${rule.window_seconds} s`,
      retryAfterSeconds: decision.retryAfterSeconds,
    };
  if (rule.daily_quota && used >= rule.daily_quota)
    return {
      ok: false,
      code: "quota_exceeded",
      message: `${tool} allows ${rule.daily_quota} calls a day`,
      retryAfterSeconds: Math.ceil((dayStart + DAY_MS - Date.now()) / 1000),
    };
  return { ok: true };
}
