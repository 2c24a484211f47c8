/**
 * The provider kinds Edgewise speaks and how each becomes an AI SDK language model:
 * the built-ins (`offline`, `workers-ai` over the AI binding) and users' providers
 * (OpenAI-compatible servers, OpenAI, Anthropic, Google). Every user provider's HTTP
 * goes through the outbound guard, since its base URL is user-steered.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogle } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { createWorkersAI } from "workers-ai-provider";
import { outboundFetch } from "../outbound/guarded-fetch";
import type { BuiltinProvider, UserProviderKind } from "./provider-kinds";

export {
  BUILTIN_PROVIDERS,
  type BuiltinProvider,
  PROVIDER_NAME,
  USER_PROVIDER_KINDS,
  type UserProviderKind,
} from "./provider-kinds";

/** Where each hosted API lives when a provider sets no base URL. */
export const DEFAULT_BASE_URLS: Record<Exclude<UserProviderKind, "openai-compatible">, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  google: "https://generativelanguage.googleapis.com/v1beta",
};

/** Model calls stream for a while and can be large; the guard's page-fetch defaults are too tight. */
export const MODEL_FETCH_LIMITS = { timeoutMs: 120_000, maxBytes: 20_000_000 };

export const BUILTIN_MODELS: ReadonlyArray<{ provider: BuiltinProvider; model: string; description: string }> = [
  {
    provider: "offline",
    model: "assistant",
    description: "Needs no keys: says so honestly and runs the tools you invoke with /tool_name {json}",
  },
  {
    provider: "workers-ai",
    model: "@cf/meta/llama-3.1-8b-instruct",
    description: "Workers AI, Llama 3.1 8B (deployed Workers only)",
  },
  {
    provider: "workers-ai",
    model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
    description: "Workers AI, Llama 3.3 70B (deployed Workers only)",
  },
];

/** `provider:model`, split on the first colon; null when either half is empty. */
export function parseSpec(spec: string): { provider: string; modelId: string } | null {
  const colon = spec.indexOf(":");
  if (colon <= 0 || colon === spec.length - 1) return null;
  return { provider: spec.slice(0, colon), modelId: spec.slice(colon + 1) };
}

/** Raised instead of the binding's own error, so the reason reads well in a fallback report. */
export class ModelUnavailableError extends Error {
  readonly code = "model_unavailable";
  constructor(message: string) {
    super(message);
    this.name = "ModelUnavailableError";
  }
}

/** Workers AI over the binding. Locally the binding exists but every call rejects; that surfaces as ModelUnavailableError. */
export function workersAiModel(ai: Ai, modelId: string): LanguageModelV4 {
  const model = createWorkersAI({ binding: ai })(modelId) as LanguageModelV4;
  const explain = (error: unknown): never => {
    if (/run remotely|remote/i.test(String(error)))
      throw new ModelUnavailableError(
        "Workers AI is not available here: the AI binding only runs on deployed Workers (or with remote bindings)",
      );
    throw error;
  };
  return {
    specificationVersion: "v4",
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls;
    },
    doGenerate: (options) => Promise.resolve(model.doGenerate(options)).catch(explain),
    doStream: (options) => Promise.resolve(model.doStream(options)).catch(explain),
  };
}

export type UserProviderConfig = {
  name: string;
  kind: UserProviderKind;
  baseUrl: string | null;
  apiKey: string | undefined;
};

/** A user provider's model; requests go through the outbound guard with model-sized limits. */
export function userProviderModel(env: Env, config: UserProviderConfig, modelId: string): LanguageModelV4 {
  const fetch = outboundFetch(env, MODEL_FETCH_LIMITS);
  const baseURL = config.baseUrl ?? undefined;
  // Hosted kinds always get an explicit key: left undefined, their SDKs would read one from process.env.
  const apiKey = config.apiKey ?? "";
  switch (config.kind) {
    case "openai-compatible":
      return createOpenAICompatible({
        name: config.name,
        baseURL: config.baseUrl ?? "",
        apiKey: config.apiKey,
        fetch,
        includeUsage: true,
      }).chatModel(modelId);
    case "openai":
      // Chat Completions rather than Responses: it is what OpenAI-style proxies behind a base URL speak.
      return createOpenAI({ name: config.name, baseURL, apiKey, fetch }).chat(modelId);
    case "anthropic":
      return createAnthropic({ baseURL, apiKey, fetch })(modelId);
    case "google":
      return createGoogle({ baseURL, apiKey, fetch })(modelId);
  }
}
