/**
 * Moving old events from D1 to R2 (the 15-minute housekeeping cron), and reading
 * them back for replays. Each archive object holds one user's events in a time
 * range as NDJSON, named `events/<user>/<from>-<to>.ndjson` (epoch ms), so a
 * replay lists the user's prefix and reads only the objects that overlap.
 */
import { getConfig } from "../../config/service";
import type { StoredEvent } from "./event-store";

const BATCH = 2_000;
const PREFIX = "events/";

type Row = { id: string; user_id: string; seq: number; type: string; data: string | null; created_at: number };

/** Archives up to one batch of events older than `event_store.keep_days`; returns how many moved. */
export async function archiveOldEvents(env: Env, now = Date.now()): Promise<number> {
  const { keep_days } = await getConfig(env, "event_store");
  const cutoff = now - keep_days * 86_400_000;
  const { results } = await env.DB.prepare(
    "SELECT id, user_id, seq, type, data, created_at FROM event_log WHERE created_at < ? ORDER BY created_at, id LIMIT ?",
  )
    .bind(cutoff, BATCH)
    .all<Row>();
  const byUser = new Map<string, Row[]>();
  for (const row of results) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row]);
  for (const [userId, rows] of byUser) {
    const from = rows[0]?.created_at ?? 0;
    const to = rows.at(-1)?.created_at ?? 0;
    const lines = rows.map((row) => JSON.stringify(toStored(row))).join("\n");
    await env.FILES.put(`${PREFIX}${userId}/${from}-${to}.ndjson`, `${lines}\n`, {
      httpMetadata: { contentType: "application/x-ndjson" },
      customMetadata: { from: String(from), to: String(to), count: String(rows.length) },
    });
    // Deleted only once the object is written: a crash in between archives a batch twice, never loses it.
    for (let i = 0; i < rows.length; i += 90) {
      const ids = rows.slice(i, i + 90).map((row) => row.id);
      await env.DB.prepare(`DELETE FROM event_log WHERE id IN (${ids.map(() => "?").join(", ")})`)
        .bind(...ids)
        .run();
    }
  }
  return results.length;
}

function toStored(row: Row): StoredEvent {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    ts: new Date(row.created_at).toISOString(),
    data: row.data ? JSON.parse(row.data) : null,
  };
}

/** A user's archived events in [from, to], oldest first. */
export async function readArchivedEvents(env: Env, userId: string, from: number, to: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix: `${PREFIX}${userId}/`, cursor });
    for (const object of page.objects) {
      const [start, end] = (object.key.split("/").at(-1) ?? "").replace(".ndjson", "").split("-").map(Number);
      if (start === undefined || end === undefined || end < from || start > to) continue;
      const body = await env.FILES.get(object.key);
      for (const line of (await body?.text())?.split("\n") ?? []) {
        if (!line) continue;
        const event = JSON.parse(line) as StoredEvent;
        const at = Date.parse(event.ts);
        if (at >= from && at <= to) events.push(event);
      }
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return events.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}

/** A user's stored events in [from, to] still in D1, oldest first. */
export async function readStoredEvents(
  env: Env,
  userId: string,
  from: number,
  to: number,
  limit: number,
): Promise<StoredEvent[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, user_id, seq, type, data, created_at FROM event_log WHERE user_id = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at, id LIMIT ?",
  )
    .bind(userId, from, to, limit)
    .all<Row>();
  return results.map(toStored);
}
