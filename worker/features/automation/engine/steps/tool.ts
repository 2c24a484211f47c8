/** Tool-call steps: through the ToolRuntime seam, with the step's idempotency key as the call id. */

import type { z } from "zod";
import type { ToolStep } from "../definition";
import { automationDeps } from "../deps";
import { failure, type StepExecutor } from "./types";

const RETRYABLE = new Set(["timed_out", "rate_limited"]);

export const runToolStep: StepExecutor<z.infer<typeof ToolStep>> = async (step, ctx) => {
  const outcome = await automationDeps().tools.execute(
    ctx.env,
    { userId: ctx.userId, scopes: ctx.scopes, source: "workflow", callId: ctx.idempotencyKey },
    step.tool,
    step.input,
    ctx.signal,
  );
  if (outcome.status === "succeeded" || outcome.status === "cached")
    return { ok: true, output: outcome.output ?? null, costMicros: outcome.costMicros };
  return failure(
    outcome.error?.code ?? outcome.status,
    outcome.error?.message ?? `tool ${step.tool}: ${outcome.status}`,
    RETRYABLE.has(outcome.status),
    {
      costMicros: outcome.costMicros,
    },
  );
};
