/**
 * The step-run rows as the run engine reads and writes them: row ↔ planner state,
 * the key of a step's row, the idempotency key its attempts send, and the run's
 * progress summary. Used by ./run-engine.ts and the workflows API.
 */
import { and, eq } from "drizzle-orm";
import { workflowStepRuns } from "../../../db/schema";
import type { Step } from "./definition";
import { isTerminalStep, type Plan, type StepState } from "./planner";

type StepRow = typeof workflowStepRuns.$inferSelect;

export function toState(row: StepRow): StepState {
  return {
    status: row.status,
    attempt: row.attempt,
    nextAttemptAt: row.nextAttemptAt,
    wakeAt: row.wakeAt,
    output: row.output ?? null,
    error: row.error,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

export function stepPatch(patch: Partial<StepState>) {
  return {
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.attempt !== undefined && { attempt: patch.attempt }),
    ...(patch.nextAttemptAt !== undefined && { nextAttemptAt: patch.nextAttemptAt }),
    ...(patch.wakeAt !== undefined && { wakeAt: patch.wakeAt }),
    ...(patch.output !== undefined && { output: patch.output }),
    ...(patch.error !== undefined && { error: patch.error }),
    ...(patch.startedAt !== undefined && { startedAt: patch.startedAt }),
    ...(patch.finishedAt !== undefined && { finishedAt: patch.finishedAt }),
    updatedAt: Date.now(),
  };
}

/** Sent with every attempt of a step (and its resumption after a crash). */
export function stepIdempotencyKey(runId: string, stepId: string) {
  return `${runId}:${stepId}`;
}

export function stepKey(runId: string, stepId: string) {
  return and(eq(workflowStepRuns.runId, runId), eq(workflowStepRuns.stepId, stepId));
}

const COUNTED = new Set(["tool", "agent", "http", "sleep", "delay", "approval"]);

/** Percent of the run's countable steps (skipped ones left out) that have finished, and what it is doing. */
export function runProgress(steps: Map<string, Step>, states: Map<string, StepState>, plan: Plan) {
  let total = 0;
  let done = 0;
  const active: string[] = [];
  for (const [id, step] of steps) {
    const state = states.get(id);
    if (!COUNTED.has(step.kind) || state?.status === "skipped") continue;
    total++;
    if (state && isTerminalStep(state.status)) done++;
    else if (state?.status === "running" || state?.status === "waiting") active.push(id);
  }
  const starting = plan.start.map((step) => step.id).filter((id) => !active.includes(id));
  const names = [...active, ...starting];
  const percent = total ? Math.floor((done / total) * 100) : 100;
  const message = names.length ? `${plan.outcome === "waiting" ? "waiting at" : "running"} ${names.join(", ")}` : null;
  return { percent, message };
}
