/** Request and response shapes of /api/v1/providers and /api/v1/models. */
import { z } from "@hono/zod-openapi";
import type { modelProviders } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso } from "../../lib/time";
import { BUILTIN_PROVIDERS, PROVIDER_NAME, USER_PROVIDER_KINDS, type UserProviderKind } from "./provider-kinds";

const ProviderName = z
  .string()
  .min(1)
  .max(40)
  .regex(PROVIDER_NAME, "Use a lowercase slug: letters, digits and inner dashes")
  .refine((name) => !(BUILTIN_PROVIDERS as readonly string[]).includes(name), "offline and workers-ai are built in")
  .openapi({ description: "The `provider` half of `provider:model`; unique among your providers", example: "groq" });

const BaseUrl = z
  .url({ protocol: /^https?$/, error: "Must be an http(s) URL" })
  .max(500)
  .openapi({ description: "The API's base URL (e.g. `https://api.groq.com/openai/v1`)" });

const ApiKey = z.string().min(1).max(1000).openapi({ description: "Stored encrypted; never shown again" });

export const ProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(USER_PROVIDER_KINDS),
    base_url: z.string().nullable().openapi({ description: "null: the kind's default API" }),
    has_api_key: z.boolean(),
    api_key_hint: z
      .string()
      .nullable()
      .openapi({ description: "The key's last four characters, for telling keys apart" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ModelProvider");

export type ProviderDto = z.infer<typeof ProviderSchema>;

export function toProvider(row: typeof modelProviders.$inferSelect): ProviderDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as UserProviderKind,
    base_url: row.baseUrl,
    has_api_key: row.apiKeyEncrypted !== null,
    api_key_hint: row.apiKeyHint,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const CreateProviderBody = z
  .object({
    name: ProviderName,
    kind: z.enum(USER_PROVIDER_KINDS).openapi({
      description:
        "`openai-compatible` (OpenAI, Groq, Ollama, vLLM, llama.cpp…; needs base_url), `openai`, `anthropic`, `google`",
    }),
    base_url: BaseUrl.optional(),
    api_key: ApiKey.optional(),
  })
  .strict()
  .openapi("CreateModelProviderRequest");

export type CreateProviderInput = z.infer<typeof CreateProviderBody>;

export const UpdateProviderBody = z
  .object({
    name: ProviderName.optional(),
    base_url: BaseUrl.nullable().optional().openapi({ description: "null returns to the kind's default API" }),
    api_key: ApiKey.nullable().optional().openapi({ description: "A new key; null removes the stored one" }),
  })
  .strict()
  .openapi("UpdateModelProviderRequest");

export type UpdateProviderInput = z.infer<typeof UpdateProviderBody>;

export const ProviderIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "0190f3c2-…" }),
});

export const ProviderPageSchema = pageSchema(ProviderSchema, "ModelProviderPage");

export const ProviderCheckSchema = z
  .object({
    ok: z.literal(true),
    models: z.array(z.string()).openapi({ description: "Model ids the provider lists; use them as `name:model`" }),
    latency_ms: z.number().int(),
  })
  .openapi("ModelProviderCheck");

const PriceSchema = z.object({ input_per_mtok: z.number(), output_per_mtok: z.number() });

export const ModelCatalogSchema = z
  .object({
    default_model: z.string().openapi({ description: "What agents use when they name no model" }),
    builtin: z.array(
      z.object({
        spec: z.string(),
        provider: z.enum(BUILTIN_PROVIDERS),
        model: z.string(),
        description: z.string(),
        available: z.boolean().openapi({ description: "false when this deployment has no binding for it" }),
      }),
    ),
    providers: z.array(
      z.object({ name: z.string(), kind: z.enum(USER_PROVIDER_KINDS), id: z.string(), spec_prefix: z.string() }),
    ),
    prices: z
      .record(z.string(), PriceSchema)
      .openapi({ description: "USD per million tokens by model id; `*` prices the rest" }),
  })
  .openapi("ModelCatalog");
