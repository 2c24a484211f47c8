/** Request and response shapes of /api/v1/extensions. */
import { z } from "@hono/zod-openapi";
import { EXTENSION_KINDS } from "../../db/schema";
import { EXTENSION_NAME } from "./names";

const JsonObject = z.record(z.string(), z.unknown());

const ToolSummarySchema = z
  .object({ name: z.string(), description: z.string(), dangerous: z.boolean() })
  .openapi("ExtensionTool");

export const CatalogEntrySchema = z
  .object({
    name: z.string(),
    version: z.string().openapi({ description: "Semantic version" }),
    publisher: z.string(),
    description: z.string(),
    default_enabled: z.boolean().openapi({ description: "On for every user until they disable it" }),
    tools: z.array(ToolSummarySchema),
    config_schema: JsonObject.openapi({ description: "JSON Schema of the configuration; secret fields are writeOnly" }),
    secret_fields: z.array(z.string()),
  })
  .openapi("ExtensionCatalogEntry");

export const CatalogSchema = z.object({ items: z.array(CatalogEntrySchema) }).openapi("ExtensionCatalog");

export const ExtensionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(EXTENSION_KINDS),
    version: z.string(),
    publisher: z.string(),
    description: z.string(),
    enabled: z.boolean(),
    config: JsonObject.openapi({ description: "The configuration in effect, without its secret fields" }),
    secrets: z
      .record(z.string(), z.object({ configured: z.boolean() }))
      .openapi({ description: "Each secret field and whether it is set; values are never returned" }),
    config_schema: JsonObject,
    mcp_url: z.string().nullable(),
    tools: z.array(ToolSummarySchema),
    created_at: z.string().nullable().openapi({ format: "date-time", description: "Null for a default never changed" }),
    updated_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Extension");

export type ExtensionDto = z.infer<typeof ExtensionSchema>;

export const ExtensionListSchema = z
  .object({ items: z.array(ExtensionSchema) })
  .openapi("ExtensionList", { description: "All of your extensions (a short list, not paged)" });

/** The DTO; `configuredSecrets` are the secret fields that hold a value. */

export const InstallExtensionBody = z
  .object({
    kind: z.enum(EXTENSION_KINDS).optional().openapi({ description: "`builtin` (default) or `mcp`" }),
    name: z
      .string()
      .regex(EXTENSION_NAME, "2–30 characters: lower-case letters, digits and -, starting with a letter")
      .openapi({ description: "A catalogue name for built-ins; your own name for an MCP server" }),
    config: JsonObject.optional().openapi({ description: "Validated against the extension's config_schema" }),
    url: z.string().url().max(2_000).optional().openapi({ description: "MCP only: the server's Streamable HTTP URL" }),
    bearer_token: z
      .string()
      .min(1)
      .max(4_096)
      .optional()
      .openapi({ description: "MCP only: sent as Authorization: Bearer; stored encrypted" }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.kind === "mcp" && !body.url)
      ctx.addIssue({ code: "custom", path: ["url"], message: "An MCP server needs a url" });
    if (body.kind !== "mcp") {
      for (const field of ["url", "bearer_token"] as const)
        if (body[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: "Only for kind mcp" });
    }
  })
  .openapi("InstallExtensionRequest");

export const UpdateExtensionBody = z
  .object({
    enabled: z.boolean().optional(),
    config: JsonObject.optional().openapi({
      description: "Fields to change; null removes a field (or a secret). The result must match config_schema.",
    }),
  })
  .strict()
  .refine((body) => body.enabled !== undefined || body.config !== undefined, "Give enabled, config or both")
  .openapi("UpdateExtensionRequest");

export const ExtensionIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "0196f6b4-7c2e-7d3a-9f1b-2a3c4d5e6f70" }),
});
