/** Records how a schedule's run ended (cost and outcome), once: called when its task or workflow run finishes. */
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { scheduleRuns } from "../../../db/schema";
import { increment, observe } from "../../observability/collector";

export async function finishScheduleRun(
  env: Env,
  scheduleRunId: string,
  outcome: "succeeded" | "failed" | "cancelled",
  costMicros: number,
  error: string | null,
) {
  const update = await getDb(env)
    .update(scheduleRuns)
    .set({ status: outcome, costMicros, error, finishedAt: Date.now() })
    .where(and(eq(scheduleRuns.id, scheduleRunId), eq(scheduleRuns.status, "started")));
  if (update.meta.changes === 1) increment("schedule_runs_total", { outcome });
}

/** The moment the scheduled work actually started: due → started latency. */
export async function markScheduleRunStarted(env: Env, scheduleRunId: string, startedAt: number) {
  const db = getDb(env);
  const run = await db.query.scheduleRuns.findFirst({ where: eq(scheduleRuns.id, scheduleRunId) });
  if (!run || run.latencyMs !== null) return;
  const latencyMs = Math.max(0, startedAt - run.tickAt);
  const update = await db
    .update(scheduleRuns)
    .set({ latencyMs })
    .where(and(eq(scheduleRuns.id, scheduleRunId), isNull(scheduleRuns.latencyMs)));
  if (update.meta.changes === 1) observe("schedule_start_latency_seconds", {}, latencyMs / 1000);
}
