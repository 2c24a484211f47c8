/**
 * Runs one leaf step (tool, agent, http, sleep) with its timeout: the one entry
 * point the workflow engine and the task queue share. Cancellation comes in
 * through `cancel`; a timeout is reported as a retryable `step_timeout`.
 */
import type { LeafStep } from "../definition";
import { missingForStep } from "../step-scopes";
import { runAgentStep } from "./agent";
import { runHttpStep } from "./http";
import { runSleepStep } from "./sleep";
import { runToolStep } from "./tool";
import { failure, type StepResult, type StepRunContext } from "./types";

export type { StepResult, StepRunContext } from "./types";

function dispatch(step: LeafStep, ctx: StepRunContext): Promise<StepResult> {
  const missing = missingForStep(step.kind, ctx.scopes);
  if (missing.length) {
    const message = `A ${step.kind} step needs the ${missing.join(", ")} scope, which this work does not hold now (what it was granted, its owner's role and its API key, if any, together)`;
    return Promise.resolve(failure("insufficient_scope", message, false));
  }
  switch (step.kind) {
    case "tool":
      return runToolStep(step, ctx);
    case "agent":
      return runAgentStep(step, ctx);
    case "http":
      return runHttpStep(step, ctx);
    case "sleep":
      return runSleepStep(step, ctx);
  }
}

export async function runLeafStep(
  step: LeafStep,
  ctx: Omit<StepRunContext, "signal">,
  cancel: AbortSignal,
): Promise<StepResult> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = AbortSignal.any([cancel, timeout]);
  const aborted = new Promise<StepResult>((resolve) => {
    signal.addEventListener("abort", () =>
      resolve(
        cancel.aborted
          ? failure("cancelled", "The step was cancelled", false)
          : failure("step_timeout", `The step did not finish within ${ctx.timeoutMs} ms`, true),
      ),
    );
  });
  try {
    return await Promise.race([dispatch(step, { ...ctx, signal }), aborted]);
  } catch (error) {
    return failure("step_error", error instanceof Error ? error.message : String(error), true);
  }
}
