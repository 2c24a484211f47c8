/** Extensions as the API answers them (CatalogEntrySchema, ExtensionSchema in schemas.ts). */
import type { z } from "@hono/zod-openapi";
import { toIsoOrNull } from "../../lib/time";
import type { InstalledExtension } from "./installed";
import { configJsonSchema, type ExtensionManifest } from "./manifest";
import type { CatalogEntrySchema, ExtensionDto } from "./schemas";

export function toCatalogEntry(manifest: ExtensionManifest): z.infer<typeof CatalogEntrySchema> {
  return {
    name: manifest.name,
    version: manifest.version,
    publisher: manifest.publisher,
    description: manifest.description,
    default_enabled: manifest.defaultEnabled,
    tools: manifest.tools.map(({ name, description, dangerous }) => ({ name, description, dangerous })),
    config_schema: configJsonSchema(manifest),
    secret_fields: [...manifest.secretFields],
  };
}

export function toExtension(extension: InstalledExtension, configuredSecrets: readonly string[]): ExtensionDto {
  const effective = extension.spec.schema.safeParse(extension.config);
  return {
    id: extension.id,
    name: extension.name,
    kind: extension.kind,
    version: extension.version,
    publisher: extension.publisher,
    description: extension.description,
    enabled: extension.enabled,
    config: effective.success ? (effective.data as Record<string, unknown>) : extension.config,
    secrets: Object.fromEntries(
      extension.spec.secretFields.map((field) => [field, { configured: configuredSecrets.includes(field) }]),
    ),
    config_schema: configJsonSchema(extension.spec),
    mcp_url: extension.mcpUrl,
    tools: extension.tools.map(({ name, description, dangerous }) => ({ name, description, dangerous })),
    created_at: toIsoOrNull(extension.createdAt),
    updated_at: toIsoOrNull(extension.updatedAt),
  };
}
