/**
 * Retry timing shared by tasks, workflow steps and webhook deliveries: exponential
 * backoff capped at `maxMs`, with "equal jitter" (half fixed, half random) so a
 * burst of failures does not retry in lockstep yet never retries at once.
 */

export type BackoffPolicy = { baseMs: number; maxMs: number; factor?: number };

/** Delay before retry number `retry` (1 for the first retry). `random` is injectable for tests. */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const exponential = policy.baseMs * (policy.factor ?? 2) ** Math.max(0, retry - 1);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
