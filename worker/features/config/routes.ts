/** /api/v1/admin/config: read and change system settings (admins only); /api/v1/config: the public ones. */
import { z } from "@hono/zod-openapi";
import { getDb } from "../../db/client";
import { AppError, describeZodIssues } from "../../errors";
import { requestMeta } from "../../lib/request-meta";
import { createRoute, createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { actorOf, auditInsert } from "../audit/record";
import { CONFIG_KEYS, CONFIG_REGISTRY, isConfigKey } from "./registry";
import { configEntry, invalidateConfigCache, listConfig, upsertConfigStatement } from "./service";

const ConfigEntrySchema = z
  .object({
    key: z.enum(CONFIG_KEYS as [string, ...string[]]),
    value: z.unknown(),
    description: z.string(),
    is_public: z.boolean(),
    is_default: z.boolean(),
  })
  .openapi("ConfigEntry");

const ConfigListSchema = z.object({ items: z.array(ConfigEntrySchema) }).openapi("ConfigList");
const PublicConfigSchema = ConfigListSchema.extend({
  environment: z
    .string()
    .openapi({ description: "`development` locally (dev outbox on), else `production`", example: "production" }),
}).openapi("PublicConfig");
const ConfigKeyParam = z.object({ key: z.string().min(1).max(100) });
const SetConfigBody = z.object({ value: z.unknown() }).strict().openapi("SetConfigRequest");

export const configRoutes = createRouter();

configRoutes.openapi(
  createRoute({
    method: "get",
    path: "/config",
    tags: ["Config"],
    summary: "Public settings (e.g. whether registration is open)",
    responses: { 200: jsonResponse("Public settings", PublicConfigSchema) },
  }),
  async (c) => {
    const items = (await listConfig(c.env)).filter((entry) => entry.is_public);
    return c.json({ items, environment: c.env.ENVIRONMENT }, 200);
  },
);

configRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/admin/config",
    tags: ["Admin"],
    summary: "All settings with their values, defaults and descriptions",
    scopes: ["admin:config"],
    responses: { 200: jsonResponse("Settings", ConfigListSchema) },
  }),
  async (c) => c.json({ items: await listConfig(c.env) }, 200),
);

configRoutes.openapi(
  securedRoute({
    method: "put",
    path: "/admin/config/{key}",
    tags: ["Admin"],
    summary: "Change a setting; the value must match the setting's schema",
    scopes: ["admin:config"],
    request: { params: ConfigKeyParam, ...jsonBody(SetConfigBody) },
    responses: { 200: jsonResponse("The setting now", ConfigEntrySchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    const { key } = c.req.valid("param");
    if (!isConfigKey(key))
      throw new AppError(404, "unknown_config_key", `No setting named ${key}`, { known: CONFIG_KEYS });
    const parsed = CONFIG_REGISTRY[key].schema.safeParse(c.req.valid("json").value);
    if (!parsed.success) {
      throw new AppError(422, "invalid_config_value", `Not a valid value for ${key}`, describeZodIssues(parsed.error));
    }
    const db = getDb(c.env);
    const before = (await listConfig(c.env, true)).find((entry) => entry.key === key);
    await db.batch([
      upsertConfigStatement(c.env, key, parsed.data, c.var.principal.userId),
      auditInsert(db, requestMeta(c), actorOf(c.var.principal), {
        ownerId: null,
        action: "config.update",
        resourceType: "system_config",
        resourceId: key,
        oldValues: { value: before?.value ?? null },
        newValues: { value: parsed.data },
      }),
    ]);
    invalidateConfigCache();
    return c.json(configEntry(c.env, key, { value: parsed.data }), 200);
  },
);
