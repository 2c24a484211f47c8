/**
 * An extension's manifest: name, semver version, publisher, description, the tools
 * it brings, and a configuration schema whose secret fields are stored encrypted
 * and never shown again. Built-in
 * extensions are declared with `defineExtension` (see ./catalog.ts); remote MCP
 * servers get a manifest of the same shape from what the server reports.
 */
import type { z } from "zod";
import { jsonSchemaOf, type Tool } from "../tools/define-tool";
import { EXTENSION_NAME } from "./names";

/** Semantic Versioning 2.0.0, the regular expression semver.org gives. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Extension names: lower case, so `<extension>__<tool>` stays a valid tool name. */

/** How an extension is configured: a strict zod object (defaults inside) and which of its fields are secret. */
export type ConfigSpec = {
  schema: z.ZodObject;
  secretFields: readonly string[];
};

export type ExtensionManifest = ConfigSpec & {
  name: string;
  version: string;
  publisher: string;
  description: string;
  tools: readonly Tool[];
  /** On for every user who has not disabled it, without installing. */
  defaultEnabled: boolean;
};

export function defineExtension(manifest: ExtensionManifest): ExtensionManifest {
  if (!EXTENSION_NAME.test(manifest.name)) throw new Error(`extension name ${manifest.name} is not valid`);
  if (!SEMVER.test(manifest.version)) throw new Error(`${manifest.name}: version ${manifest.version} is not semver`);
  const fields = Object.keys(manifest.schema.shape);
  const unknown = manifest.secretFields.filter((field) => !fields.includes(field));
  if (unknown.length) throw new Error(`${manifest.name}: secret fields ${unknown.join(", ")} are not in the schema`);
  return manifest;
}

/** The configuration's JSON Schema as clients see it; secret fields are marked `writeOnly`. */
export function configJsonSchema(spec: ConfigSpec): Record<string, unknown> {
  const schema = jsonSchemaOf(spec.schema, "input");
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const field of spec.secretFields) {
    if (properties[field]) properties[field] = { ...properties[field], writeOnly: true };
  }
  return schema;
}
