/** Request and response shapes of /api/v1/keys. */
import { z } from "@hono/zod-openapi";
import type { apiKeys } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso, toIsoOrNull } from "../../lib/time";
import { SCOPES } from "../auth/scopes";

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The key's first characters, to tell keys apart" }),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable().openapi({ format: "date-time" }),
    last_used_at: z.string().nullable().openapi({ format: "date-time" }),
    revoked_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ApiKey");

export type ApiKeyDto = z.infer<typeof ApiKeySchema>;

export function toApiKey(row: typeof apiKeys.$inferSelect): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    expires_at: toIsoOrNull(row.expiresAt),
    last_used_at: toIsoOrNull(row.lastUsedAt),
    revoked_at: toIsoOrNull(row.revokedAt),
    created_at: toIso(row.createdAt),
  };
}

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the key stops working; never if omitted" }),
  })
  .strict()
  .openapi("CreateApiKeyRequest");

export const CreatedApiKeySchema = z
  .object({
    key: ApiKeySchema,
    secret: z.string().openapi({ description: "The key itself. Shown once; store it now." }),
  })
  .openapi("CreatedApiKey");

export const ApiKeyPageSchema = pageSchema(ApiKeySchema, "ApiKeyPage");

export const ApiKeyListQuery = z.object({
  include_revoked: z.enum(["true", "false"]).default("false").openapi({ description: "List revoked keys too" }),
  prefix: z
    .string()
    .regex(/^ewk_[\w-]{8}$/, "A key prefix looks like ewk_AbCd1234")
    .optional()
    .openapi({ description: "Only the key with this prefix (as shown in lists)" }),
});

export const ApiKeyIdParam = z.object({ id: z.string().min(1).max(64) });
