/**
 * Workflow runs through the API: read (with per-step state and logs), list,
 * cancel, decide an approval, and resume a failed run from the step that failed
 * (dead-letter replay) without repeating the steps that succeeded.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { workflowRunLogs, workflowRuns, workflowStepRuns } from "../../../db/schema";
import { AppError } from "../../../errors";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { runLog, workflowRunObject } from "../engine/run-lifecycle";
import { getOwnRun } from "../engine/run-resume";
import { stepKey } from "../engine/step-rows";
import { toRun, toStepRun } from "./schemas";

export async function runDetail(db: Db, userId: string, id: string) {
  const run = await getOwnRun(db, userId, id);
  const steps = await db
    .select()
    .from(workflowStepRuns)
    .where(eq(workflowStepRuns.runId, id))
    .orderBy(asc(workflowStepRuns.position));
  return { ...toRun(run), steps: steps.map(toStepRun) };
}

export async function listRuns(
  db: Db,
  userId: string,
  query: { limit: number; cursor?: string | undefined; workflow_id?: string | undefined; status?: string | undefined },
) {
  const page = keyset(workflowRuns, query.cursor);
  const rows = await db
    .select()
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.userId, userId),
        query.workflow_id ? eq(workflowRuns.workflowId, query.workflow_id) : undefined,
        query.status ? eq(workflowRuns.status, query.status as "running") : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toRun);
}

export async function runLogs(db: Db, userId: string, id: string, after: number, limit: number) {
  await getOwnRun(db, userId, id);
  const rows = await db
    .select()
    .from(workflowRunLogs)
    .where(and(eq(workflowRunLogs.runId, id), gt(workflowRunLogs.id, after)))
    .orderBy(asc(workflowRunLogs.id))
    .limit(limit);
  return {
    items: rows.map((row) => ({
      id: row.id,
      step_id: row.stepId,
      level: row.level,
      message: row.message,
      created_at: new Date(row.createdAt).toISOString(),
    })),
  };
}

const OPEN = new Set(["running", "waiting"]);

export async function cancelRun(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const run = await getOwnRun(db, userId, id);
  if (!OPEN.has(run.status)) throw new AppError(409, "run_finished", `The run has already ${run.status}`);
  await workflowRunObject(env, id).cancel("cancelled by the user");
  await auditInsert(db, meta, actorOf(principal), {
    ownerId: userId,
    action: "workflow_run.cancel",
    resourceType: "workflow_run",
    resourceId: id,
    oldValues: { status: run.status },
    newValues: { status: "cancelled" },
  });
  return runDetail(db, userId, id);
}

/** The run, if `stepId` is one of its approval steps and is waiting for a decision. */
async function waitingApproval(db: Db, userId: string, runId: string, stepId: string) {
  const run = await getOwnRun(db, userId, runId);
  const step = await db.query.workflowStepRuns.findFirst({ where: stepKey(runId, stepId) });
  if (step?.kind !== "approval")
    throw new AppError(422, "not_an_approval", "No approval step with that id in this run");
  if (step.status !== "waiting" || !OPEN.has(run.status))
    throw new AppError(409, "not_waiting", `That step is ${step.status}`);
  return run;
}

/** Approves or rejects a step that is waiting for approval; the run moves on at once. */
export async function decideApproval(
  env: Env,
  principal: Principal,
  id: string,
  input: { step_id: string; decision: "approve" | "reject"; comment?: string | undefined },
  meta: RequestMeta,
) {
  const { userId } = principal;
  const db = getDb(env);
  const run = await waitingApproval(db, userId, id, input.step_id);
  const now = Date.now();
  const approved = input.decision === "approve";
  const output = {
    approved,
    comment: input.comment ?? null,
    decided_by: actorOf(principal).id,
    decided_at: new Date(now).toISOString(),
  };
  const comment = input.comment ? `: ${input.comment}` : "";
  const [update] = await db.batch([
    db
      .update(workflowStepRuns)
      .set({
        status: approved ? "succeeded" : "failed",
        output,
        error: approved ? null : "rejected",
        finishedAt: now,
        updatedAt: now,
      })
      .where(and(stepKey(id, input.step_id), eq(workflowStepRuns.status, "waiting"))),
    runLog(db, run, input.step_id, "info", `${approved ? "approved" : "rejected"}${comment}`),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: `workflow_run.${input.decision}`,
      resourceType: "workflow_run",
      resourceId: id,
      newValues: { step_id: input.step_id, comment: input.comment ?? null },
    }),
  ]);
  if (update.meta.changes !== 1) throw new AppError(409, "not_waiting", "That step was decided meanwhile");
  await workflowRunObject(env, id).kick();
  return runDetail(db, userId, id);
}
