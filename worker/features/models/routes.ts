/**
 * /api/v1/providers: your model providers (keys write-only), with a live check;
 * /api/v1/models: what `provider:model` specs you can use, and their prices.
 */
import { getDb } from "../../db/client";
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { getConfig } from "../config/service";
import { listProviderModels } from "./check";
import { BUILTIN_MODELS, type UserProviderKind } from "./providers";
import {
  CreateProviderBody,
  ModelCatalogSchema,
  ProviderCheckSchema,
  ProviderIdParam,
  ProviderPageSchema,
  ProviderSchema,
  toProvider,
  UpdateProviderBody,
} from "./schemas";
import {
  createProvider,
  decryptApiKey,
  deleteProvider,
  getOwnProvider,
  listProviders,
  updateProvider,
} from "./service";

export const modelRoutes = createRouter();
const tags = ["Models"];

modelRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/providers",
    tags,
    summary: "Add a model provider (OpenAI-compatible, OpenAI, Anthropic, Google)",
    description:
      "Honours `Idempotency-Key`. The API key is stored encrypted and never returned. A base_url the outbound guard refuses (private, loopback, metadata addresses) is 422 unless an admin allowlisted its host.",
    scopes: ["agents:write"],
    middleware: [idempotent],
    request: jsonBody(CreateProviderBody),
    responses: { 201: jsonResponse("Created", ProviderSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => c.json(await createProvider(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201),
);

modelRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/providers",
    tags,
    summary: "List your model providers, newest first",
    scopes: ["agents:read"],
    request: { query: PageQuerySchema },
    responses: { 200: jsonResponse("A page of providers", ProviderPageSchema) },
  }),
  async (c) => c.json(await listProviders(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

modelRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/providers/{id}",
    tags,
    summary: "Read one of your model providers (never its key)",
    scopes: ["agents:read"],
    request: { params: ProviderIdParam },
    responses: { 200: jsonResponse("The provider", ProviderSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(toProvider(await getOwnProvider(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

modelRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/providers/{id}",
    tags,
    summary: "Rename a provider, change its base URL or replace its key",
    scopes: ["agents:write"],
    request: { params: ProviderIdParam, ...jsonBody(UpdateProviderBody) },
    responses: { 200: jsonResponse("Updated", ProviderSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const updated = await updateProvider(
      c.env,
      c.var.principal,
      c.req.valid("param").id,
      c.req.valid("json"),
      requestMeta(c),
    );
    return c.json(updated, 200);
  },
);

modelRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/providers/{id}",
    tags,
    summary: "Delete a provider; agents naming it fall back down their chain",
    scopes: ["agents:write"],
    request: { params: ProviderIdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
  }),
  async (c) => {
    await deleteProvider(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  },
);

modelRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/providers/{id}/check",
    tags,
    summary: "Check a provider works by listing its models through its API",
    description: "422 `provider_check_failed` carries the provider's own error (or the outbound guard's).",
    scopes: ["agents:write"],
    request: { params: ProviderIdParam },
    responses: { 200: jsonResponse("The provider answered", ProviderCheckSchema), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const row = await getOwnProvider(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const started = Date.now();
    const provider = { kind: row.kind as UserProviderKind, baseUrl: row.baseUrl };
    const models = await listProviderModels(c.env, provider, await decryptApiKey(c.env, row));
    return c.json({ ok: true as const, models, latency_ms: Date.now() - started }, 200);
  },
);

modelRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/models",
    tags,
    summary: "The model specs you can use: built-ins, your providers, and prices",
    scopes: ["agents:read"],
    responses: { 200: jsonResponse("The catalogue", ModelCatalogSchema) },
  }),
  async (c) => {
    const [providers, prices, defaults] = await Promise.all([
      listProviders(getDb(c.env), c.var.principal.userId, { limit: 100 }),
      getConfig(c.env, "model_prices"),
      getConfig(c.env, "agent_defaults"),
    ]);
    const builtin = BUILTIN_MODELS.map(({ provider, model, description }) => ({
      spec: `${provider}:${model}`,
      provider,
      model,
      description,
      available: provider === "offline" || Boolean(c.env.AI),
    }));
    return c.json(
      {
        default_model: defaults.model,
        builtin,
        providers: providers.items.map(({ id, name, kind }) => ({ id, name, kind, spec_prefix: `${name}:` })),
        prices,
      },
      200,
    );
  },
);
