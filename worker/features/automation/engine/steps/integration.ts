/**
 * Per-integration token buckets (system setting `integration_rate_limits`), one
 * bucket per user and integration in a RateLimiter object, taken one token at a
 * time (no leases: the queue must be exact). Integrations not configured pass.
 */
import { getConfig } from "../../../config/service";

export type IntegrationDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export async function takeIntegrationToken(
  env: Env,
  userId: string,
  integration: string | null | undefined,
): Promise<IntegrationDecision> {
  if (!integration) return { allowed: true };
  const rule = (await getConfig(env, "integration_rate_limits"))[integration];
  if (!rule) return { allowed: true };
  const decision = await env.RATE_LIMITER.getByName(`integration:${userId}:${integration}`).take(
    rule.limit,
    rule.window_seconds,
  );
  if (decision.allowed) return { allowed: true };
  // The bucket refills continuously: wait for one token, not the whole reset.
  const perTokenMs = Math.ceil((rule.window_seconds * 1000) / rule.limit);
  return { allowed: false, retryAfterMs: Math.min(decision.retryAfterSeconds * 1000, perTokenMs) };
}
