/**
 * Rate limiting for routes. Buckets live in the key's RateLimiter object; to keep
 * that call off most requests, an isolate leases tokens in batches and spends them
 * locally for up to LEASE_MS. Batches adapt to use, like TCP slow start: a key
 * starts at one token, doubles while its batches run out before expiring, halves
 * when one expires unspent, and never exceeds 1/20 of the limit. Unspent tokens
 * of an expired lease go back to the bucket with the next call. So small limits
 * are exact, and a busy key can pass its limit by at most one batch per isolate. Answers 429 with Retry-After and RateLimit-* headers;
 * rules come from system config (`rate_limits`).
 */
import type { Context } from "hono";
import type { RateDecision } from "../../../durable-objects/rate-limiter/rate-limiter";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import type { RateRule } from "../config/registry";

const MAX_BATCH_FRACTION = 1 / 20;
const LEASE_MS = 1_000;
const MAX_LEASES = 10_000;

type Lease = { rule: string; tokens: number; expiresAt: number; size: number; decision: RateDecision };
const leases = new Map<string, Lease>();
/** Keys with a batch request on its way: concurrent misses take one token each instead of another batch. */
const leasing = new Set<string>();

function spendLease(lease: Lease | undefined, rule: string): RateDecision | undefined {
  if (!lease || lease.rule !== rule || lease.tokens <= 0 || lease.expiresAt <= Date.now()) return undefined;
  lease.tokens--;
  return { ...lease.decision, remaining: lease.decision.remaining + lease.tokens };
}

/** The next batch: twice the last if it ran out in time, half if it expired unspent. */
function nextBatch(lease: Lease | undefined, rule: RateRule, ruleId: string): number {
  const cap = Math.max(1, Math.floor(rule.limit * MAX_BATCH_FRACTION));
  if (!lease || lease.rule !== ruleId) return 1;
  const size = lease.tokens <= 0 ? lease.size * 2 : Math.ceil(lease.size / 2);
  return Math.min(cap, Math.max(1, size));
}

export async function consume(env: Env, key: string, rule: RateRule): Promise<RateDecision> {
  const ruleId = `${rule.limit}/${rule.window_seconds}`;
  const lease = leases.get(key);
  const local = spendLease(lease, ruleId);
  if (local) return local;
  const batch = leasing.has(key) ? 1 : nextBatch(lease, rule, ruleId);
  const giveBack = lease?.rule === ruleId ? lease.tokens : 0;
  if (lease) lease.tokens = 0;
  if (batch > 1) leasing.add(key);
  try {
    const bucket = env.RATE_LIMITER.getByName(key);
    const { granted, ...decision } = await bucket.take(rule.limit, rule.window_seconds, batch, giveBack);
    // Refused while another request's batch landed here: spend from that batch instead.
    if (granted === 0) return spendLease(leases.get(key), ruleId) ?? decision;
    const kept = keepSpare(key, ruleId, granted - 1, batch, decision);
    return { ...decision, remaining: decision.remaining + kept };
  } finally {
    if (batch > 1) leasing.delete(key);
  }
}

/**
 * Adds leased tokens to the key's local supply, keeping tokens a concurrent lease
 * left; returns the supply. A single-token call made while a batch was in flight
 * leaves the batch size alone.
 */
function keepSpare(key: string, rule: string, spare: number, batch: number, decision: RateDecision): number {
  const current = leases.get(key)?.rule === rule ? leases.get(key) : undefined;
  const tokens = (current?.tokens ?? 0) + spare;
  const size = batch > 1 || !current ? batch : current.size;
  if (leases.size >= MAX_LEASES) leases.clear();
  leases.set(key, { rule, tokens, expiresAt: Date.now() + LEASE_MS, size, decision });
  return tokens;
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
