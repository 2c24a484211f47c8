/**
 * A workflow run's life outside the engine loop: starting it (rows for every
 * step, then the WorkflowRun object), finishing it (status, output, dead letter,
 * events, and telling the task or schedule run that started it), and its log.
 */
import { and, eq, inArray, notInArray } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import {
  deadLetters,
  workflowRunLogs,
  workflowRuns,
  workflowStepRuns,
  workflows,
  workflowVersions,
} from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import { publishEvent } from "../../events/publish";
import { increment } from "../../observability/collector";
import { runBatch, type Statement } from "./batch";
import { flattenSteps, WorkflowDefinition } from "./definition";
import type { StepState } from "./planner";
import { finishScheduleRun } from "./schedule-outcome";
import { finishTaskFromRun } from "./task-outcome";

type RunRow = typeof workflowRuns.$inferSelect;
export type RunOutcome = "succeeded" | "failed" | "cancelled";

export function workflowRunObject(env: Env, runId: string) {
  return env.WORKFLOW_RUN.getByName(runId);
}

export function runLog(
  db: Db,
  run: { id: string; userId: string },
  stepId: string | null,
  level: "debug" | "info" | "warn" | "error",
  message: string,
) {
  return db.insert(workflowRunLogs).values({
    runId: run.id,
    userId: run.userId,
    stepId,
    level,
    message: message.slice(0, 2_000),
    createdAt: Date.now(),
  });
}

export function runRef(run: RunRow) {
  return {
    run_id: run.id,
    workflow_id: run.workflowId,
    version: run.version,
    status: run.status,
    task_id: run.taskId,
    error: run.error,
  };
}

export type StartRunInput = {
  userId: string;
  scopes: readonly string[];
  /** The API key behind the run (directly, or through its task or schedule): see ./grant.ts. */
  apiKeyId?: string | null;
  workflowId: string;
  version?: number | undefined;
  input: unknown;
  taskId?: string | null;
  scheduleRunId?: string | null;
  /** Chosen by the caller when it must know the id before the run exists (a task records it first). */
  runId?: string;
};

/** Creates the run and a row per step, then hands it to its WorkflowRun object. */
export async function startRun(env: Env, request: StartRunInput): Promise<RunRow> {
  const db = getDb(env);
  const { workflowId, versionNumber, definition } = await runnableVersion(db, request);
  const run = newRunRow(request, workflowId, versionNumber, Date.now());
  const inserted = await db.insert(workflowRuns).values(run).onConflictDoNothing();
  if (inserted.meta.changes === 1) {
    // D1 caps bound parameters per statement, so step rows go in chunks.
    const steps = stepRows(run, definition);
    const writes: Statement[] = [runLog(db, run, null, "info", `run started (version ${versionNumber})`)];
    for (let i = 0; i < steps.length; i += 8) writes.push(db.insert(workflowStepRuns).values(steps.slice(i, i + 8)));
    await runBatch(db, writes);
    await publishEvent(env, run.userId, "workflow.run_started", runRef(run), [`run:${run.id}`]);
  }
  await workflowRunObject(env, run.id).start(run.id);
  return run;
}

/** The workflow version a run would use: 404 for an unknown workflow or version, 409 when archived. */
async function runnableVersion(db: Db, request: StartRunInput) {
  const workflow = await db.query.workflows.findFirst({
    where: and(eq(workflows.id, request.workflowId), eq(workflows.userId, request.userId)),
  });
  if (!workflow) throw new AppError(404, "not_found", "Workflow not found");
  if (workflow.archivedAt) throw new AppError(409, "workflow_archived", "This workflow is archived");
  const versionNumber = request.version ?? workflow.latestVersion;
  const version = await db.query.workflowVersions.findFirst({
    where: and(eq(workflowVersions.workflowId, workflow.id), eq(workflowVersions.version, versionNumber)),
  });
  if (!version) throw new AppError(404, "version_not_found", `Workflow version ${versionNumber} not found`);
  return { workflowId: workflow.id, versionNumber, definition: WorkflowDefinition.parse(version.definition) };
}

function newRunRow(request: StartRunInput, workflowId: string, version: number, now: number): RunRow {
  return {
    id: request.runId ?? newId(),
    userId: request.userId,
    workflowId,
    version,
    status: "running",
    input: request.input ?? {},
    output: null,
    error: null,
    scopes: [...request.scopes],
    apiKeyId: request.apiKeyId ?? null,
    taskId: request.taskId ?? null,
    scheduleRunId: request.scheduleRunId ?? null,
    progressPercent: 0,
    progressMessage: null,
    costMicros: 0,
    heartbeatAt: now,
    startedAt: now,
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

function stepRows(run: RunRow, definition: WorkflowDefinition) {
  return flattenSteps(definition.steps).map(({ step }, position) => ({
    runId: run.id,
    stepId: step.id,
    userId: run.userId,
    kind: step.kind,
    position,
    status: "pending" as const,
    idempotencyKey: `${run.id}:${step.id}`,
    updatedAt: run.createdAt,
  }));
}

function runOutput(states: Map<string, StepState>) {
  const output: Record<string, unknown> = {};
  for (const [id, state] of states)
    if (state.status === "succeeded" && state.output !== null) output[id] = state.output;
  return output;
}

const OUTCOME_EVENT = {
  succeeded: "workflow.run_succeeded",
  failed: "workflow.run_failed",
  cancelled: "workflow.run_cancelled",
} as const;

/** Ends a run once; later calls (a racing cancel, a replayed alarm) change nothing. */
export async function finishRun(
  env: Env,
  run: RunRow,
  outcome: RunOutcome,
  states: Map<string, StepState>,
  failedStep: string | null,
  reason?: string,
): Promise<boolean> {
  const db = getDb(env);
  const now = Date.now();
  const failure = failedStep ? `step ${failedStep} failed: ${states.get(failedStep)?.error ?? "unknown error"}` : null;
  const error = outcome === "succeeded" ? null : (reason ?? failure ?? "the run failed");
  const output = runOutput(states);
  const deadLetter = outcome === "failed" && !run.taskId;
  const [update] = await db.batch(finishStatements(db, run, outcome, { output, error, now }));
  if (update.meta.changes !== 1) return false;
  increment("workflow_runs_total", { status: outcome });
  const finished = { ...run, status: outcome, error };
  if (deadLetter) await recordRunDeadLetter(env, finished, error ?? "failed");
  await publishEvent(env, run.userId, OUTCOME_EVENT[outcome], runRef(finished), [`run:${run.id}`]);
  const total = (await db.query.workflowRuns.findFirst({ where: eq(workflowRuns.id, run.id) }))?.costMicros ?? 0;
  if (run.taskId) await finishTaskFromRun(env, run.taskId, { outcome, output, error, costMicros: total });
  if (run.scheduleRunId) await finishScheduleRun(env, run.scheduleRunId, outcome, total, error);
  return true;
}

/** The batch that ends a run: its row (only while it is open), its unfinished steps, the log line. */
function finishStatements(
  db: Db,
  run: RunRow,
  outcome: RunOutcome,
  { output, error, now }: { output: Record<string, unknown>; error: string | null; now: number },
) {
  return [
    db
      .update(workflowRuns)
      .set({
        status: outcome,
        output,
        error,
        finishedAt: now,
        updatedAt: now,
        ...(outcome === "succeeded" && { progressPercent: 100, progressMessage: null }),
      })
      .where(and(eq(workflowRuns.id, run.id), inArray(workflowRuns.status, ["running", "waiting"]))),
    db
      .update(workflowStepRuns)
      .set({ status: "cancelled", finishedAt: now, updatedAt: now })
      .where(
        and(
          eq(workflowStepRuns.runId, run.id),
          notInArray(workflowStepRuns.status, ["succeeded", "failed", "skipped", "cancelled"]),
        ),
      ),
    runLog(
      db,
      run,
      null,
      outcome === "succeeded" ? "info" : "error",
      error ? `run ${outcome}: ${error}` : `run ${outcome}`,
    ),
  ] as const;
}

async function recordRunDeadLetter(env: Env, run: RunRow, error: string) {
  const db = getDb(env);
  const id = newId();
  const summary = `workflow run ${run.id} (workflow ${run.workflowId} v${run.version})`;
  await db.insert(deadLetters).values({
    id,
    userId: run.userId,
    source: "workflow_run",
    sourceId: run.id,
    summary,
    error,
    attempts: 1,
    payload: { workflow_id: run.workflowId, version: run.version, input: run.input },
    createdAt: Date.now(),
  });
  increment("dead_letters_total", { source: "workflow_run" });
  await publishEvent(env, run.userId, "system.dead_letter", { id, source: "workflow_run", source_id: run.id, summary });
}
