/**
 * The automation sweep, run by the every-minute cron trigger: the safety net
 * under the Durable Object alarms. It fires schedules whose tick is overdue
 * (racing the owner's alarm is harmless: ticks are claimed once), wakes queues
 * with work past due, and kicks workflow runs whose object went quiet (after a
 * restart, a lost alarm), so nothing left alone stays stuck.
 */
import { getConfig } from "../../config/service";
import { flushMetrics } from "../../observability/collector";
import { HEARTBEAT_MS } from "./run-engine";
import { fireDueSchedules } from "./schedule-fire";
import { wakeQueue } from "./task-outcome";

/** The wrangler.toml cron expression that runs this sweep (the other one runs housekeeping). */
export const AUTOMATION_CRON = "* * * * *";
const OVERDUE_MS = 5_000;
const LIMIT = 100;

async function ids(env: Env, sql: string, ...binds: unknown[]): Promise<string[]> {
  const { results } = await env.DB.prepare(sql)
    .bind(...binds)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

export async function runAutomationSweep(env: Env, now = Date.now()) {
  const { lease_ms } = await getConfig(env, "task_queue");
  const scheduleOwners = await ids(
    env,
    "SELECT DISTINCT user_id AS id FROM schedules WHERE enabled = 1 AND next_run_at <= ? LIMIT ?",
    now - OVERDUE_MS,
    LIMIT,
  );
  for (const userId of scheduleOwners) {
    await fireDueSchedules(env, userId, "cron", now);
    await wakeQueue(env, userId);
  }
  const queueOwners = await ids(
    env,
    `SELECT DISTINCT user_id AS id FROM tasks WHERE status IN ('pending', 'retrying', 'queued') AND run_after <= ?1
     UNION SELECT DISTINCT user_id AS id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?1 LIMIT ?2`,
    now - lease_ms,
    LIMIT,
  );
  for (const userId of queueOwners) await wakeQueue(env, userId);
  const quietRuns = await ids(
    env,
    "SELECT id FROM workflow_runs WHERE status = 'running' AND heartbeat_at <= ? LIMIT ?",
    now - 2 * HEARTBEAT_MS,
    LIMIT,
  );
  for (const runId of quietRuns) await env.WORKFLOW_RUN.getByName(runId).kick();
  const summary = { schedules: scheduleOwners.length, queues: queueOwners.length, runs: quietRuns.length };
  console.log(JSON.stringify({ level: "info", msg: "automation sweep", ...summary }));
  // No HTTP response schedules a flush here: send what the sweep recorded now.
  await flushMetrics(env);
  return summary;
}
