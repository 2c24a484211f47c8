/**
 * Failure handling around model calls, for the chat pipeline: retries with backoff
 * are the AI SDK's (pass MODEL_MAX_RETRIES as `maxRetries`; it retries 429 and 5xx
 * and honours `retry-after`), and `withModelFallback` walks an agent's chain when a
 * model still fails, reporting each failure in words a user can act on.
 */
import { APICallError } from "@ai-sdk/provider";
import { RetryError } from "ai";
import { OutboundError } from "../outbound/guarded-fetch";
import type { ModelFailure, ResolvedModel } from "./contract";
import { ModelUnavailableError } from "./providers";

export type { ModelFailure } from "./contract";

/** `maxRetries` for streamText/generateText: up to 3 attempts per model, 2 s then 4 s apart unless the provider says when. */
export const MODEL_MAX_RETRIES = 2;

export class ModelFallbackError extends Error {
  constructor(readonly failures: ModelFailure[]) {
    super(
      failures.length
        ? `Every model failed: ${failures.map((failure) => `${failure.spec}: ${failure.message}`).join("; ")}`
        : "No model to try",
    );
    this.name = "ModelFallbackError";
  }
}

const MAX_MESSAGE = 500;

const isModelError = (error: unknown) =>
  RetryError.isInstance(error) ||
  APICallError.isInstance(error) ||
  error instanceof OutboundError ||
  error instanceof ModelUnavailableError;

/**
 * A model call's error as a ModelFailure: unwraps the AI SDK's RetryError to the last
 * attempt's error, and a caller's wrapper that keeps the model's error as `cause` (the
 * chat pipeline's "nothing streamed"), so the provider's status and message survive.
 */
export function describeModelFailure(spec: string, thrown: unknown): ModelFailure {
  const error = !isModelError(thrown) && thrown instanceof Error && isModelError(thrown.cause) ? thrown.cause : thrown;
  let cause = error;
  let code: string | undefined;
  if (RetryError.isInstance(error)) {
    cause = error.lastError;
    if (error.reason === "maxRetriesExceeded") code = "retries_exhausted";
  }
  if (cause instanceof OutboundError || cause instanceof ModelUnavailableError) code = cause.code;
  const status = APICallError.isInstance(cause) ? cause.statusCode : undefined;
  const message = (cause instanceof Error ? cause.message : String(cause)).slice(0, MAX_MESSAGE);
  return { spec, message, ...(status ? { status } : {}), ...(code ? { code } : {}) };
}

const isAbort = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";

/**
 * Runs `attempt` with each model in order until one succeeds. A failure moves on to
 * the next model and is reported through `onFallback` (with the model tried next,
 * undefined after the last). A cancelled call (AbortError) is rethrown at once.
 * Throws ModelFallbackError, listing every failure, when all models fail.
 *
 * @example
 * const { value, model } = await withModelFallback(models, async (candidate) => {
 *   const result = streamText({ model: candidate.model, maxRetries: MODEL_MAX_RETRIES, ... });
 *   await firstChunk(result); // throw here, before anything reached the user
 *   return result;
 * }, (failure, next) => emit({ type: "model_fallback", failure, next: next?.spec }));
 */
export async function withModelFallback<T>(
  models: readonly ResolvedModel[],
  attempt: (model: ResolvedModel, index: number) => Promise<T>,
  onFallback?: (failure: ModelFailure, next: ResolvedModel | undefined) => void | Promise<void>,
): Promise<{ value: T; model: ResolvedModel; failures: ModelFailure[] }> {
  const failures: ModelFailure[] = [];
  for (const [index, model] of models.entries()) {
    try {
      return { value: await attempt(model, index), model, failures };
    } catch (error) {
      if (isAbort(error)) throw error;
      const failure = describeModelFailure(model.spec, error);
      failures.push(failure);
      await onFallback?.(failure, models[index + 1]);
    }
  }
  throw new ModelFallbackError(failures);
}
