/**
 * The model layer's contract with the chat pipeline: turn `provider:model` specs
 * into AI SDK language models. Implemented in ./resolve.ts, which also exports
 * `withModelFallback` and `MODEL_MAX_RETRIES` (./fallback.ts).
 */
import type { LanguageModel } from "ai";
import type { ModelPrice } from "../config/registry";

export type ResolvedModel = {
  /** The spec as written, e.g. `my-ollama:llama3.2`. */
  spec: string;
  provider: string;
  modelId: string;
  model: LanguageModel;
  price: ModelPrice;
};

export interface ModelResolver {
  /**
   * Resolves an agent's chain (primary, then fallbacks) for this user. Specs whose
   * provider is unknown or unavailable here (Workers AI without the binding) are
   * left out with the reason, so the pipeline can report them; the offline provider
   * is always available.
   */
  resolveChain(
    env: Env,
    userId: string,
    specs: readonly string[],
  ): Promise<{ models: ResolvedModel[]; skipped: Array<{ spec: string; reason: string }> }>;
}

/** One model's failure in a fallback chain, safe to show the user. */
export type ModelFailure = {
  spec: string;
  /** What went wrong: the provider's error text, the guard's refusal… never our secrets. */
  message: string;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** `outbound_blocked`, `model_unavailable`, `retries_exhausted`… when we know more than the status. */
  code?: string;
};
