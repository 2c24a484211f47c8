/** Sleep steps: wait, reporting progress about ten times; the demo and benchmark workload. */

import type { z } from "zod";
import type { SleepStep } from "../definition";
import { failure, type StepExecutor } from "./types";

export const runSleepStep: StepExecutor<z.infer<typeof SleepStep>> = async (step, ctx) => {
  const started = Date.now();
  const tick = Math.max(200, Math.floor(step.ms / 10));
  while (Date.now() - started < step.ms) {
    if (ctx.signal.aborted) return failure("aborted", "The sleep was interrupted", true);
    await new Promise((resolve) => setTimeout(resolve, Math.min(tick, step.ms - (Date.now() - started))));
    const percent = Math.min(99, Math.floor(((Date.now() - started) / Math.max(1, step.ms)) * 100));
    if (Date.now() - started < step.ms) ctx.progress(percent, `slept ${Date.now() - started} of ${step.ms} ms`);
  }
  return { ok: true, output: { slept_ms: Date.now() - started }, costMicros: 0 };
};
