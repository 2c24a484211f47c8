/**
 * RateLimiter: one token bucket per key (an IP, a user, an API key), one object
 * per key via `idFromName`, so every isolate in the world shares the same count.
 * Isolates take tokens in small batches (leases, see worker/features/rate-limits/limiter.ts)
 * so most requests need no call here. State lives in memory on purpose: a bucket
 * lost to eviction refills, which is the safe direction.
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

export type Grant = RateDecision & { granted: number };

export class RateLimiter extends DurableObject<Env> {
  #tokens = 0;
  #updatedAt = 0;
  #rule = "";

  /**
   * Takes up to `want` tokens from a bucket of `limit` that refills fully every
   * `windowSeconds`; `allowed` when at least one was granted. `giveBack` returns
   * tokens an isolate leased earlier and did not spend.
   */
  take(limit: number, windowSeconds: number, want = 1, giveBack = 0): Grant {
    const now = Date.now();
    const perMs = limit / (windowSeconds * 1000);
    const rule = `${limit}/${windowSeconds}`;
    if (rule !== this.#rule) {
      this.#rule = rule;
      this.#tokens = limit;
    } else {
      this.#tokens = Math.min(limit, this.#tokens + (now - this.#updatedAt) * perMs + giveBack);
    }
    this.#updatedAt = now;
    // Batches only while the bucket is far from empty; near empty every request is counted here, one by one.
    const available = Math.floor(this.#tokens);
    const granted = available >= 2 * want ? want : Math.min(1, available);
    this.#tokens -= granted;
    return {
      granted,
      allowed: granted > 0,
      limit,
      remaining: Math.floor(this.#tokens),
      resetSeconds: Math.ceil((limit - this.#tokens) / perMs / 1000),
      retryAfterSeconds: granted > 0 ? 0 : Math.max(1, Math.ceil((1 - this.#tokens) / perMs / 1000)),
    };
  }
}
