/**
 * The chat pipeline's one dependency seam: the tool runtime, the model resolver,
 * the usage ledger and the context providers, asked for on every turn by the
 * ChatSession Durable Object. Production wiring is below; tests swap parts with
 * `setPipelineDeps` (e.g. a tool that sleeps, for the timeout case) and plug
 * `ai/test` mock models in with `setModelOverride`.
 */
import type { ModelResolver, ResolvedModel } from "../models/contract";
import { withModelFallback as fallBackThroughChain } from "../models/fallback";
import { modelResolver } from "../models/resolve";
import type { ToolRuntime } from "../tools/contract";
import { toolRuntime } from "../tools/runtime";
import type { UsageLedger } from "../usage/contract";
import { usageLedger } from "../usage/service";
import type { ContextProvider } from "./context-provider";
import { knowledgeProvider } from "./knowledge-provider";

export { setModelOverride } from "../models/resolve";

export type PipelineDeps = {
  tools: ToolRuntime;
  models: ModelResolver;
  usage: UsageLedger;
  context: ContextProvider[];
};

/** Tries each model of the chain in order (see models/fallback.ts); the first answer wins. */
export async function withModelFallback<T>(
  models: readonly ResolvedModel[],
  attempt: (model: ResolvedModel, index: number) => Promise<T>,
): Promise<T> {
  return (await fallBackThroughChain(models, attempt)).value;
}

const defaults: PipelineDeps = {
  tools: toolRuntime,
  models: modelResolver,
  usage: usageLedger,
  context: [knowledgeProvider],
};
let overrides: Partial<PipelineDeps> = {};

export function pipelineDeps(): PipelineDeps {
  return { ...defaults, ...overrides };
}

/** Test seam: replaces some dependencies; returns a function that restores the previous ones. */
export function setPipelineDeps(partial: Partial<PipelineDeps>): () => void {
  const previous = overrides;
  overrides = { ...overrides, ...partial };
  return () => {
    overrides = previous;
  };
}
