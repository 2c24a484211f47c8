/**
 * Finding a user's run, and resuming a failed or cancelled one from the steps that
 * had not succeeded: the workflows API reads runs through it and dead-letter
 * replays resume through it (../dead-letters/service.ts).
 */
import { and, eq, inArray } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { workflowRuns, workflowStepRuns } from "../../../db/schema";
import { AppError } from "../../../errors";
import { runLog, workflowRunObject } from "./run-lifecycle";

export async function getOwnRun(db: Db, userId: string, id: string) {
  const row = await db.query.workflowRuns.findFirst({
    where: and(eq(workflowRuns.id, id), eq(workflowRuns.userId, userId)),
  });
  if (!row) throw new AppError(404, "not_found", "Workflow run not found");
  return row;
}

/** A failed run goes on from where it failed: failed and cancelled steps run again, succeeded ones are kept. */
export async function resumeRun(env: Env, userId: string, id: string) {
  const db = getDb(env);
  const run = await getOwnRun(db, userId, id);
  if (run.status !== "failed" && run.status !== "cancelled")
    throw new AppError(409, "not_replayable", `The run is ${run.status}`);
  const now = Date.now();
  const [update] = await db.batch([
    db
      .update(workflowRuns)
      .set({ status: "running", error: null, finishedAt: null, heartbeatAt: now, updatedAt: now })
      .where(and(eq(workflowRuns.id, id), inArray(workflowRuns.status, ["failed", "cancelled"]))),
    db
      .update(workflowStepRuns)
      .set({
        status: "pending",
        attempt: 0,
        error: null,
        nextAttemptAt: null,
        wakeAt: null,
        startedAt: null,
        finishedAt: null,
        updatedAt: now,
      })
      .where(
        and(
          eq(workflowStepRuns.runId, id),
          inArray(workflowStepRuns.status, ["failed", "cancelled", "running", "waiting"]),
        ),
      ),
    runLog(db, run, null, "info", "resumed from the steps that had not succeeded"),
  ]);
  if (update.meta.changes !== 1) throw new AppError(409, "not_replayable", "The run changed meanwhile");
  await workflowRunObject(env, id).kick();
  return getOwnRun(db, userId, id);
}
