/**
 * Rate limiting for routes: asks the key's RateLimiter object for a token, sets
 * the RateLimit-* headers, and answers 429 with Retry-After when the bucket is dry.
 * Rules come from system config (`rate_limits`), so admins can tune them live.
 */
import type { Context } from "hono";
import type { RateDecision } from "../../../durable-objects/rate-limiter/rate-limiter";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import type { RateRule } from "../config/registry";

export function consume(env: Env, key: string, rule: RateRule): Promise<RateDecision> {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
  return stub.consume(rule.limit, rule.window_seconds);
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
      {
        limit: decision.limit,
        retry_after_seconds: decision.retryAfterSeconds,
      },
      { ...headers, "Retry-After": String(decision.retryAfterSeconds) },
    );
  }
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}
