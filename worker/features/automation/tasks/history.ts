/**
 * A task's story from the event store: its own events and its children's, oldest
 * first, for the console's task page (which then follows new ones live). Progress
 * is live-only, so it is not here; events older than `event_store.keep_days` are
 * in the R2 archive, read through GET /events/history.
 */
import type { Db } from "../../../db/client";
import { toIso } from "../../../lib/time";
import type { HubEvent } from "../../events/catalog";
import { getOwnTask } from "../engine/task-create";

type Row = { seq: number; type: string; data: string | null; created_at: number };

// From the task's creation on (the user index bounds the scan); children's events name it as parent_id.
const TASK_EVENTS = `SELECT seq, type, data, created_at FROM event_log
  WHERE user_id = ?1 AND created_at >= ?2 AND type LIKE 'task.%'
    AND (json_extract(data, '$.id') = ?3 OR json_extract(data, '$.parent_id') = ?3)
  ORDER BY seq LIMIT ?4`;

export async function taskEvents(env: Env, db: Db, userId: string, id: string, limit: number): Promise<HubEvent[]> {
  const task = await getOwnTask(db, userId, id);
  const { results } = await env.DB.prepare(TASK_EVENTS).bind(userId, task.createdAt, id, limit).all<Row>();
  return results.map((row) => ({
    id: row.seq,
    type: row.type,
    ts: toIso(row.created_at),
    data: row.data === null ? null : (JSON.parse(row.data) as unknown),
  }));
}
