/**
 * modelResolver: turns an agent's `provider:model` chain into AI SDK models for the
 * chat pipeline. Built-ins first (`offline`, `workers-ai`), then the user's own
 * providers by name; each model comes with its price from the `model_prices`
 * setting. Specs that cannot be served here are skipped with the reason.
 */
import type { LanguageModel } from "ai";
import type { ModelPrice } from "../config/registry";
import { getConfig } from "../config/service";
import type { ModelResolver, ResolvedModel } from "./contract";
import { createOfflineModel } from "./offline-model";
import { BUILTIN_PROVIDERS, parseSpec, type UserProviderKind, userProviderModel, workersAiModel } from "./providers";
import { decryptApiKey, type ProviderRow, providersByName } from "./service";

export { describeModelFailure, MODEL_MAX_RETRIES, ModelFallbackError, withModelFallback } from "./fallback";
export { estimateTokens } from "./offline-model";

type ModelFactory = (modelId: string) => LanguageModel;

const FREE: ModelPrice = { input_per_mtok: 0, output_per_mtok: 0 };
const overrides = new Map<string, ModelFactory>();

/**
 * TEST-ONLY seam, shaped like the others (`setPipelineDeps`, `setAutomationDeps`): tests
 * inside workerd share the Worker's isolate, so they can make `provider:…` resolve to a
 * model of their own (e.g. `{ mock: () => scripted }` → MockLanguageModelV4 from
 * `ai/test`); a provider set to `null` loses its override. Returns a function that puts
 * back what those providers had. Nothing in the API calls this, and overrides are
 * ignored in production. The `(provider, factory)` form is the same for one provider,
 * kept for durable-objects/chat-session/large-messages.test.ts.
 */
export function setModelOverride(partial: Record<string, ModelFactory | null>): () => void;
export function setModelOverride(provider: string, factory: ModelFactory | null): () => void;
export function setModelOverride(
  partialOrProvider: Record<string, ModelFactory | null> | string,
  factory: ModelFactory | null = null,
): () => void {
  const partial = typeof partialOrProvider === "string" ? { [partialOrProvider]: factory } : partialOrProvider;
  const previous = Object.keys(partial).map((provider) => [provider, overrides.get(provider)] as const);
  for (const [provider, next] of Object.entries(partial)) {
    if (next) overrides.set(provider, next);
    else overrides.delete(provider);
  }
  return () => {
    for (const [provider, before] of previous) {
      if (before) overrides.set(provider, before);
      else overrides.delete(provider);
    }
  };
}

/** USD per million tokens for a model id: its own entry, else `*`, else free. */
export function priceOf(prices: Record<string, ModelPrice>, modelId: string): ModelPrice {
  if (Object.hasOwn(prices, modelId)) return prices[modelId]!;
  return Object.hasOwn(prices, "*") ? prices["*"]! : FREE;
}

type Outcome = { model: LanguageModel } | { reason: string };

async function userModel(env: Env, row: ProviderRow, modelId: string): Promise<Outcome> {
  let apiKey: string | undefined;
  try {
    apiKey = await decryptApiKey(env, row);
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
  const config = { name: row.name, kind: row.kind as UserProviderKind, baseUrl: row.baseUrl, apiKey };
  return { model: userProviderModel(env, config, modelId) };
}

function builtinModel(env: Env, provider: string, modelId: string): Outcome {
  if (provider === "offline") return { model: createOfflineModel(modelId) };
  if (!env.AI) return { reason: "Workers AI is not available: this deployment has no AI binding" };
  return { model: workersAiModel(env.AI, modelId) };
}

const isBuiltin = (provider: string) => (BUILTIN_PROVIDERS as readonly string[]).includes(provider);

async function resolveOne(
  env: Env,
  provider: string,
  modelId: string,
  row: ProviderRow | undefined,
  override: ModelFactory | undefined,
): Promise<Outcome> {
  if (override) return { model: override(modelId) };
  if (isBuiltin(provider)) return builtinModel(env, provider, modelId);
  if (row) return userModel(env, row, modelId);
  return { reason: `unknown provider ${provider}: add it under /api/v1/providers or use offline:assistant` };
}

export const modelResolver: ModelResolver = {
  async resolveChain(env, userId, specs) {
    const parsed = specs.map((spec) => ({ spec, parts: parseSpec(spec) }));
    const useOverrides = env.ENVIRONMENT !== "production" && overrides.size > 0;
    const wanted = new Set(
      parsed.flatMap(({ parts }) =>
        parts && !isBuiltin(parts.provider) && !(useOverrides && overrides.has(parts.provider)) ? [parts.provider] : [],
      ),
    );
    const [rows, prices] = await Promise.all([
      providersByName(env, userId, [...wanted]),
      getConfig(env, "model_prices"),
    ]);
    const byName = new Map(rows.map((row) => [row.name, row]));

    const models: ResolvedModel[] = [];
    const skipped: Array<{ spec: string; reason: string }> = [];
    for (const { spec, parts } of parsed) {
      if (!parts) {
        skipped.push({ spec, reason: "not a `provider:model` spec" });
        continue;
      }
      const { provider, modelId } = parts;
      const override = useOverrides ? overrides.get(provider) : undefined;
      const outcome = await resolveOne(env, provider, modelId, byName.get(provider), override);
      if ("reason" in outcome) skipped.push({ spec, reason: outcome.reason });
      else {
        const price = provider === "offline" ? FREE : priceOf(prices, modelId);
        models.push({ spec, provider, modelId, model: outcome.model, price });
      }
    }
    return { models, skipped };
  },
};
