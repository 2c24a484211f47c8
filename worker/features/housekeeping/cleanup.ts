/**
 * The cron job (wrangler.toml [triggers]): deletes what has expired — denied
 * sessions past their access-token lifetime, refresh and one-time tokens a week
 * past expiry, idempotency records past 24 hours, expired tool results and
 * memories past their `expires_at` (with their chunks and vectors) — and moves
 * events older than `event_store.keep_days` from D1 to R2.
 */
import { lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { idempotencyRecords, refreshTokens, revokedSessions, toolCache, userTokens } from "../../db/schema";
import { archiveOldEvents } from "../automation/engine/event-archive";
import { purgeExpiredMemories } from "../memory/service";

const GRACE_MS = 7 * 24 * 3600_000;

export async function runHousekeeping(env: Env) {
  const db = getDb(env);
  const now = Date.now();
  const results = await db.batch([
    db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now)),
    db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now - GRACE_MS)),
    db.delete(userTokens).where(lt(userTokens.expiresAt, now - GRACE_MS)),
    db.delete(idempotencyRecords).where(lt(idempotencyRecords.expiresAt, now)),
    db.delete(toolCache).where(lt(toolCache.expiresAt, now)),
  ]);
  const deleted = [...results.map((result) => result.meta.changes), await purgeExpiredMemories(env, now)];
  const archived = await archiveOldEvents(env, now);
  console.log(JSON.stringify({ level: "info", msg: "housekeeping", deleted, archived }));
  return deleted;
}
