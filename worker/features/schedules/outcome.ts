/** Records how a schedule's run ended (cost and outcome), once: called when its task or workflow run finishes. */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { scheduleRuns } from "../../db/schema";

export async function finishScheduleRun(
  env: Env,
  scheduleRunId: string,
  outcome: "succeeded" | "failed" | "cancelled",
  costMicros: number,
  error: string | null,
) {
  await getDb(env)
    .update(scheduleRuns)
    .set({ status: outcome, costMicros, error, finishedAt: Date.now() })
    .where(and(eq(scheduleRuns.id, scheduleRunId), eq(scheduleRuns.status, "started")));
}

/** The moment the scheduled work actually started: due → started latency. */
export async function markScheduleRunStarted(env: Env, scheduleRunId: string, startedAt: number) {
  const db = getDb(env);
  const run = await db.query.scheduleRuns.findFirst({ where: eq(scheduleRuns.id, scheduleRunId) });
  if (!run || run.latencyMs !== null) return;
  await db
    .update(scheduleRuns)
    .set({ latencyMs: Math.max(0, startedAt - run.tickAt) })
    .where(eq(scheduleRuns.id, scheduleRunId));
}
