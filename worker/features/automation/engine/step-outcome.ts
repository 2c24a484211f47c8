/**
 * What a finished attempt of a workflow step means for its row: success, a retry
 * after backoff (the step's retry policy, else the run's defaults, else the
 * `workflow_limits` setting), or the step's final failure. Used by ./run-engine.ts.
 */
import type { StepStatus } from "../../../db/schema";
import { backoffDelay } from "../../../lib/backoff";
import { getConfig } from "../../config/service";
import type { LeafStep } from "./definition";
import type { StepState } from "./planner";
import type { StepResult } from "./steps";

export type StepOutcome = { status: StepStatus; patch: Partial<StepState>; message: string };

export async function stepOutcome(
  env: Env,
  policy: LeafStep["retry"],
  attempt: number,
  result: StepResult,
  durationMs: number,
  now: number,
): Promise<StepOutcome> {
  if (result.ok) {
    const status = "succeeded";
    return {
      status,
      patch: { status, output: result.output, error: null, finishedAt: now },
      message: `attempt ${attempt} succeeded in ${durationMs} ms`,
    };
  }
  const error = `${result.code}: ${result.message}`;
  if (result.retryable && attempt < (policy?.max_attempts ?? 1)) {
    const limits = await getConfig(env, "workflow_limits");
    const backoff = {
      baseMs: policy?.backoff_ms ?? limits.retry_base_ms,
      maxMs: policy?.max_backoff_ms ?? limits.retry_max_ms,
      factor: policy?.factor,
    };
    const delay = backoffDelay(backoff, attempt);
    const status = "retrying";
    return {
      status,
      patch: { status, error, nextAttemptAt: now + delay, output: result.output ?? null },
      message: `attempt ${attempt} failed (${error}); retrying in ${delay} ms`,
    };
  }
  const status = "failed";
  return {
    status,
    patch: { status, error, finishedAt: now, output: result.output ?? null },
    message: `attempt ${attempt} failed (${error}); giving up`,
  };
}
