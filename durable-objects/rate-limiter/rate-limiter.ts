/**
 * RateLimiter: one token bucket per key (an IP, a user, an API key), one object
 * per key via `idFromName`, so every isolate in the world shares the same count.
 * State lives in memory on purpose: a bucket lost to eviction refills, which is
 * the safe direction. Called by worker/features/rate-limits/limiter.ts.
 */
import { DurableObject } from "cloudflare:workers";

export type RateDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until a denied request would pass; 0 when allowed. */
  retryAfterSeconds: number;
};

export class RateLimiter extends DurableObject<Env> {
  #tokens = 0;
  #updatedAt = 0;
  #rule = "";

  /** Takes `cost` tokens from a bucket of `limit` that refills fully every `windowSeconds`. */
  consume(limit: number, windowSeconds: number, cost = 1): RateDecision {
    const now = Date.now();
    const perMs = limit / (windowSeconds * 1000);
    const rule = `${limit}/${windowSeconds}`;
    if (rule !== this.#rule) {
      this.#rule = rule;
      this.#tokens = limit;
    } else {
      this.#tokens = Math.min(limit, this.#tokens + (now - this.#updatedAt) * perMs);
    }
    this.#updatedAt = now;
    const allowed = this.#tokens >= cost;
    if (allowed) this.#tokens -= cost;
    return {
      allowed,
      limit,
      remaining: Math.floor(this.#tokens),
      resetSeconds: Math.ceil((limit - this.#tokens) / perMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - this.#tokens) / perMs / 1000)),
    };
  }
}
