/**
 * The cron job (wrangler.toml [triggers]): deletes what has expired — denied
 * sessions once no token of theirs can be valid, refresh and one-time tokens a week
 * past expiry, idempotency records past 24 hours, expired tool results and
 * memories past their `expires_at` (with their chunks and vectors) — and moves
 * events older than `event_store.keep_days` from D1 to R2.
 */
import { and, lt, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { idempotencyRecords, refreshTokens, revokedSessions, toolCache, userTokens } from "../../db/schema";
import { archiveOldEvents } from "../automation/engine/event-archive";
import { purgeExpiredMemories } from "../memory/service";

const GRACE_MS = 7 * 24 * 3600_000;

/** `now` is the cron's clock; tests pass a later one to see what a future run leaves. */
export async function runHousekeeping(env: Env, now = Date.now()) {
  const db = getDb(env);
  const results = await db.batch([
    // A revoked session is remembered while any refresh token of its family is unexpired.
    db
      .delete(revokedSessions)
      .where(
        and(
          lt(revokedSessions.expiresAt, now),
          sql`NOT EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${revokedSessions.familyId} AND ${refreshTokens.expiresAt} > ${now})`,
        ),
      ),
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
