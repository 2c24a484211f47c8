/** Agent-prompt steps: through the AgentPrompter seam; the answer's text is the step's output. */

import type { z } from "zod";
import type { AgentStep } from "../definition";
import { automationDeps } from "../deps";
import { failure, type StepExecutor } from "./types";

export const runAgentStep: StepExecutor<z.infer<typeof AgentStep>> = async (step, ctx) => {
  const answer = await automationDeps().agents.prompt(ctx.env, {
    userId: ctx.userId,
    scopes: ctx.scopes,
    agentId: step.agent_id,
    prompt: step.prompt,
    idempotencyKey: ctx.idempotencyKey,
    signal: ctx.signal,
  });
  if (answer.ok)
    return {
      ok: true,
      output: { text: answer.text, session_id: answer.sessionId ?? null },
      costMicros: answer.costMicros,
    };
  return failure(answer.code, answer.message, answer.retryable);
};
