/**
 * Rate limiting for routes. Buckets live in the key's RateLimiter object; to keep
 * that call off most requests, an isolate leases a small batch of tokens (1/20 of
 * the limit, used within a second) and spends them locally. With small limits the
 * batch is one token, so they are enforced exactly; with large ones, a key can
 * exceed its limit by at most one batch per isolate. Answers 429 with Retry-After
 * and RateLimit-* headers. Rules come from system config (`rate_limits`).
 */
import type { Context } from "hono";
import type { RateDecision } from "../../../durable-objects/rate-limiter/rate-limiter";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import type { RateRule } from "../config/registry";

const LEASE_FRACTION = 1 / 20;
const LEASE_MS = 1_000;
const MAX_LEASES = 10_000;

type Lease = { rule: string; tokens: number; expiresAt: number; decision: RateDecision };
const leases = new Map<string, Lease>();
/** Keys with a batch request on its way: concurrent misses take one token each instead of another batch. */
const leasing = new Set<string>();

function spendLease(key: string, rule: string): RateDecision | undefined {
  const lease = leases.get(key);
  if (!lease || lease.rule !== rule || lease.tokens <= 0 || lease.expiresAt <= Date.now()) return undefined;
  lease.tokens--;
  return { ...lease.decision, remaining: lease.decision.remaining + lease.tokens };
}

export async function consume(env: Env, key: string, rule: RateRule): Promise<RateDecision> {
  const ruleId = `${rule.limit}/${rule.window_seconds}`;
  const local = spendLease(key, ruleId);
  if (local) return local;
  const batch = leasing.has(key) ? 1 : Math.max(1, Math.floor(rule.limit * LEASE_FRACTION));
  if (batch > 1) leasing.add(key);
  try {
    const { granted, ...decision } = await env.RATE_LIMITER.getByName(key).take(rule.limit, rule.window_seconds, batch);
    const spare = Math.max(0, granted - 1);
    if (spare > 0) keepSpare(key, ruleId, spare, decision);
    return { ...decision, remaining: decision.remaining + (leases.get(key)?.tokens ?? 0) };
  } finally {
    if (batch > 1) leasing.delete(key);
  }
}

/** Adds leased tokens to the key's local supply (never discarding tokens a concurrent lease left). */
function keepSpare(key: string, rule: string, spare: number, decision: RateDecision) {
  const current = leases.get(key);
  const live = current && current.rule === rule && current.expiresAt > Date.now() ? current.tokens : 0;
  if (leases.size >= MAX_LEASES) leases.clear();
  leases.set(key, { rule, tokens: live + spare, expiresAt: Date.now() + LEASE_MS, decision });
}

export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
  };
}

/** Applies a decision to the response: headers always, 429 when denied. */
export function applyDecision(c: Context<AppEnv>, decision: RateDecision) {
  const headers = rateLimitHeaders(decision);
  if (!decision.allowed) {
    throw new AppError(
      429,
      "rate_limited",
      "Too many requests; retry after the time in Retry-After",
      { limit: decision.limit, retry_after_seconds: decision.retryAfterSeconds },
      { ...headers, "Retry-After": String(decision.retryAfterSeconds) },
    );
  }
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}
