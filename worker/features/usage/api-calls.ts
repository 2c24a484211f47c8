/**
 * API-call counting for usage_daily.api_calls. The access log calls `countApiCall`
 * for every authenticated request; counts add up in this isolate's memory per
 * user and UTC day, and the first uncounted request schedules one flush
 * FLUSH_DELAY_MS later (waitUntil) that writes everything gathered meanwhile as
 * upserts in one D1 batch. So each isolate writes at most once per delay, and a
 * failed flush keeps its counts for the next one instead of failing a request.
 */
import { utcDay } from "./days";

export const FLUSH_DELAY_MS = 3_000;

let pending = new Map<string, { userId: string; day: string; calls: number }>();
let flushScheduled = false;

// The user check keeps a deleted account's last counts from failing the whole batch on its foreign key.
const UPSERT_API_CALLS = `INSERT INTO usage_daily (user_id, day, api_calls)
  SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
  ON CONFLICT (user_id, day) DO UPDATE SET api_calls = api_calls + excluded.api_calls`;

function add(userId: string, day: string, calls: number) {
  const key = `${userId}\n${day}`;
  const entry = pending.get(key);
  if (entry) entry.calls += calls;
  else pending.set(key, { userId, day, calls });
}

export function countApiCall(ctx: { waitUntil(promise: Promise<unknown>): void }, env: Env, userId: string): void {
  add(userId, utcDay(), 1);
  if (flushScheduled) return;
  flushScheduled = true;
  ctx.waitUntil(
    new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS)).then(() => {
      flushScheduled = false;
      return flushApiCalls(env);
    }),
  );
}

/** Writes this isolate's counts now (GET /usage calls it so callers see their own calls at once). */
export async function flushApiCalls(env: Env): Promise<void> {
  if (pending.size === 0) return;
  const batch = [...pending.values()];
  pending = new Map();
  try {
    await env.DB.batch(
      batch.map((entry) => env.DB.prepare(UPSERT_API_CALLS).bind(entry.userId, entry.day, entry.calls)),
    );
  } catch (error) {
    // A D1 batch is atomic, so none of it was written: keep the counts for the next flush.
    for (const entry of batch) add(entry.userId, entry.day, entry.calls);
    console.error(JSON.stringify({ level: "warn", msg: "api call counts flush failed", error: String(error) }));
  }
}
