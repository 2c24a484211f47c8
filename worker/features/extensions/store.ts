/**
 * A user's extensions as the rest of Edgewise sees them: their user_extensions
 * rows joined with the built-in manifests, plus the default-on built-ins (core)
 * they never changed, which have no row. Built-in extensions have an id derived
 * from (user, name), so it is the same before and after a row exists.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { userExtensions } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { RemoteToolSchema } from "../mcp/client";
import { MCP_CONFIG, remoteTools } from "../mcp/remote-tools";
import { BUILTIN_EXTENSIONS, builtinExtension } from "./catalog";
import type { InstalledExtension } from "./installed";
import { openSecrets } from "./secrets";

export type ExtensionRow = typeof userExtensions.$inferSelect;

/** A stable UUID-shaped id for a user's built-in extension. */
export async function builtinExtensionId(userId: string, name: string): Promise<string> {
  const hex = (await sha256Hex(`extension:${userId}:${name}`)).slice(0, 32);
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function mcpTimeout(config: Record<string, unknown>): number {
  const parsed = MCP_CONFIG.schema.safeParse(config);
  return parsed.success && typeof parsed.data.timeout_ms === "number" ? parsed.data.timeout_ms : 30_000;
}

function fromRow(row: ExtensionRow): InstalledExtension | null {
  const base = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    version: row.version,
    enabled: row.enabled,
    stored: true,
    config: row.config,
    secretsEncrypted: row.secretsEncrypted,
    mcpUrl: row.mcpUrl,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.kind === "mcp") {
    const url = row.mcpUrl ?? "";
    const stored = (row.mcpTools ?? []).flatMap((tool) => {
      const parsed = RemoteToolSchema.safeParse(tool);
      return parsed.success ? [parsed.data] : [];
    });
    const host = URL.canParse(url) ? new URL(url).host : url;
    return {
      ...base,
      publisher: host,
      description: `Remote MCP server at ${host}`,
      spec: MCP_CONFIG,
      tools: remoteTools({ name: row.name, url, timeoutMs: mcpTimeout(row.config) }, stored),
    };
  }
  const manifest = builtinExtension(row.name);
  if (!manifest) return null; // a built-in that no longer ships
  return {
    ...base,
    version: manifest.version,
    publisher: manifest.publisher,
    description: manifest.description,
    spec: manifest,
    tools: [...manifest.tools],
  };
}

async function virtualDefault(userId: string, name: string): Promise<InstalledExtension | null> {
  const manifest = builtinExtension(name);
  if (!manifest?.defaultEnabled) return null;
  return {
    id: await builtinExtensionId(userId, name),
    name,
    kind: "builtin",
    version: manifest.version,
    publisher: manifest.publisher,
    description: manifest.description,
    enabled: true,
    stored: false,
    config: {},
    secretsEncrypted: null,
    mcpUrl: null,
    spec: manifest,
    tools: [...manifest.tools],
    createdAt: null,
    updatedAt: null,
  };
}

/** Every extension the user has, enabled or not: built-ins in catalogue order, then MCP servers by name. */
export async function listInstalled(env: Env, userId: string): Promise<InstalledExtension[]> {
  const rows = await getDb(env).select().from(userExtensions).where(eq(userExtensions.userId, userId));
  const stored = rows.flatMap((row) => fromRow(row) ?? []);
  const names = new Set(stored.map((extension) => extension.name));
  const defaults = await Promise.all(
    BUILTIN_EXTENSIONS.filter((manifest) => !names.has(manifest.name)).map((m) => virtualDefault(userId, m.name)),
  );
  const order = (extension: InstalledExtension) =>
    extension.kind === "builtin" ? BUILTIN_EXTENSIONS.findIndex((m) => m.name === extension.name) : Infinity;
  return [...stored, ...defaults.flatMap((extension) => extension ?? [])].sort(
    (a, b) => order(a) - order(b) || a.name.localeCompare(b.name),
  );
}

/** One of the user's extensions by id, or undefined (also for another user's id). */
export async function findInstalled(env: Env, userId: string, id: string): Promise<InstalledExtension | undefined> {
  const [row] = await getDb(env)
    .select()
    .from(userExtensions)
    .where(and(eq(userExtensions.userId, userId), eq(userExtensions.id, id)));
  if (row) return fromRow(row) ?? undefined;
  // Built-in rows are written with their derived id, so no row under it means the user never changed it.
  for (const manifest of BUILTIN_EXTENSIONS) {
    if (manifest.defaultEnabled && (await builtinExtensionId(userId, manifest.name)) === id)
      return (await virtualDefault(userId, manifest.name)) ?? undefined;
  }
  return undefined;
}

/** The configuration a tool runs with: stored values and decrypted secrets, defaults applied. */
export async function runtimeConfig(env: Env, userId: string, extension: InstalledExtension) {
  const secrets = await openSecrets(env, userId, extension.name, extension.secretsEncrypted);
  const parsed = extension.spec.schema.safeParse({ ...extension.config, ...secrets });
  return parsed.success ? (parsed.data as Record<string, unknown>) : {};
}
