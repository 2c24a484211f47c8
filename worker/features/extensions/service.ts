/**
 * Installing, configuring, enabling, disabling, refreshing and removing a user's
 * extensions. Configuration is validated against the extension's schema (422 with
 * the issues), secret fields are sealed (./secrets.ts), and every change is
 * written in one D1 batch with its audit row. MCP servers are asked for their
 * tools at install and on refresh.
 */
import { and, eq } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { userExtensions } from "../../db/schema";
import { AppError, describeZodIssues } from "../../errors";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import { discoverRemote, RemoteError } from "../mcp/client";
import { MCP_CONFIG } from "../mcp/remote-tools";
import { builtinExtension } from "./catalog";
import type { InstalledExtension } from "./installed";
import type { ConfigSpec } from "./manifest";
import { openSecrets, sealSecrets, splitSecrets } from "./secrets";
import { builtinExtensionId, findInstalled, listInstalled } from "./store";

export const EXTENSION_NOT_FOUND = "No such extension";

type InstallInput = {
  kind?: "builtin" | "mcp" | undefined;
  name: string;
  config?: Record<string, unknown> | undefined;
  url?: string | undefined;
  bearer_token?: string | undefined;
};

/** Validates a whole configuration; 422 with the issues when it does not fit. */
function validateConfig(spec: ConfigSpec, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = spec.schema.safeParse(config);
  if (!parsed.success)
    throw new AppError(
      422,
      "invalid_config",
      "The configuration does not match the extension's schema",
      describeZodIssues(parsed.error),
    );
  // Store what the user set, not the defaults: a default that changes later then applies to them too.
  return Object.fromEntries(Object.keys(config).map((key) => [key, (parsed.data as Record<string, unknown>)[key]]));
}

async function sealedConfig(env: Env, userId: string, name: string, spec: ConfigSpec, config: Record<string, unknown>) {
  const { plain, secrets } = splitSecrets(spec, validateConfig(spec, config));
  return { config: plain, secretsEncrypted: await sealSecrets(env, userId, name, secrets) };
}

/** 422 with the guard's or the MCP layer's reason when the server cannot be listed. */
async function discover(env: Env, url: string, config: Record<string, unknown>) {
  const effective = MCP_CONFIG.schema.parse(config) as { timeout_ms: number; bearer_token?: string };
  try {
    return await discoverRemote(env, { url, bearerToken: effective.bearer_token, timeoutMs: effective.timeout_ms });
  } catch (error) {
    if (error instanceof RemoteError)
      throw new AppError(422, "mcp_unreachable", `Could not list the MCP server's tools: ${error.message}`, {
        reason: error.code,
      });
    throw error;
  }
}

async function existingNames(env: Env, userId: string) {
  return new Set((await listInstalled(env, userId)).filter((e) => e.stored || e.enabled).map((e) => e.name));
}

async function newRow(env: Env, userId: string, input: InstallInput) {
  if (input.kind === "mcp") {
    if (builtinExtension(input.name))
      throw new AppError(409, "name_taken", `${input.name} is a built-in extension's name; choose another`);
    const url = input.url ?? "";
    const raw = { ...input.config, ...(input.bearer_token ? { bearer_token: input.bearer_token } : {}) };
    const sealed = await sealedConfig(env, userId, input.name, MCP_CONFIG, raw);
    const remote = await discover(env, url, raw);
    return {
      id: newId(),
      kind: "mcp" as const,
      version: remote.version.slice(0, 50),
      mcpUrl: url,
      mcpTools: remote.tools,
      ...sealed,
    };
  }
  const manifest = builtinExtension(input.name);
  if (!manifest) throw new AppError(422, "unknown_extension", `There is no built-in extension called ${input.name}`);
  const sealed = await sealedConfig(env, userId, input.name, manifest, input.config ?? {});
  const id = await builtinExtensionId(userId, input.name);
  return { id, kind: "builtin" as const, version: manifest.version, mcpUrl: null, mcpTools: null, ...sealed };
}

export async function installExtension(env: Env, principal: Principal, input: InstallInput, meta: RequestMeta) {
  const userId = principal.userId;
  if ((await existingNames(env, userId)).has(input.name))
    throw new AppError(409, "already_installed", `You already have an extension called ${input.name}`);
  const row = await newRow(env, userId, input);
  const now = Date.now();
  const db = getDb(env);
  try {
    await db.batch([
      db
        .insert(userExtensions)
        .values({ ...row, userId, name: input.name, enabled: true, createdAt: now, updatedAt: now }),
      auditInsert(db, meta, actorOf(principal), {
        ownerId: userId,
        action: "extension.install",
        resourceType: "extension",
        resourceId: row.id,
        newValues: { name: input.name, kind: row.kind, version: row.version, mcp_url: row.mcpUrl, config: row.config },
      }),
    ]);
  } catch (error) {
    // Two installs of one name at once: the unique index lets one through.
    if (/UNIQUE/i.test(String(error instanceof Error && error.cause ? error.cause : error)))
      throw new AppError(409, "already_installed", `You already have an extension called ${input.name}`);
    throw error;
  }
  return getExtension(env, userId, row.id);
}

export async function getExtension(env: Env, userId: string, id: string): Promise<InstalledExtension> {
  const extension = await findInstalled(env, userId, id);
  if (!extension) throw new AppError(404, "not_found", EXTENSION_NOT_FOUND);
  return extension;
}

/** The names of secret fields that hold a value. */
export async function configuredSecrets(env: Env, userId: string, extension: InstalledExtension) {
  const secrets = await openSecrets(env, userId, extension.name, extension.secretsEncrypted);
  return Object.keys(secrets).filter((key) => secrets[key] !== undefined && secrets[key] !== null);
}

/** Applies a config patch (null removes a field) to what is stored, secrets included. */
async function patchedConfig(env: Env, userId: string, extension: InstalledExtension, patch: Record<string, unknown>) {
  const current = {
    ...extension.config,
    ...(await openSecrets(env, userId, extension.name, extension.secretsEncrypted)),
  };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete current[key];
    else current[key] = value;
  }
  return sealedConfig(env, userId, extension.name, extension.spec, current);
}

export async function updateExtension(
  env: Env,
  principal: Principal,
  id: string,
  patch: { enabled?: boolean | undefined; config?: Record<string, unknown> | undefined },
  meta: RequestMeta,
) {
  const userId = principal.userId;
  const extension = await getExtension(env, userId, id);
  const sealed = patch.config
    ? await patchedConfig(env, userId, extension, patch.config)
    : { config: extension.config, secretsEncrypted: extension.secretsEncrypted };
  const enabled = patch.enabled ?? extension.enabled;
  const now = Date.now();
  const db = getDb(env);
  await db.batch([
    upsertStatement(db, userId, extension, { enabled, ...sealed, updatedAt: now }),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "extension.update",
      resourceType: "extension",
      resourceId: extension.id,
      oldValues: { enabled: extension.enabled, config: extension.config },
      newValues: {
        enabled,
        config: sealed.config,
        ...(patch.config
          ? { secrets_changed: Object.keys(patch.config).filter((k) => extension.spec.secretFields.includes(k)) }
          : {}),
      },
    }),
  ]);
  return getExtension(env, userId, extension.id);
}

/** An update, or the first row of a default-on built-in the user had never changed. */
function upsertStatement(
  db: Db,
  userId: string,
  extension: InstalledExtension,
  values: { enabled: boolean; config: Record<string, unknown>; secretsEncrypted: string | null; updatedAt: number },
) {
  if (extension.stored)
    return db
      .update(userExtensions)
      .set(values)
      .where(and(eq(userExtensions.userId, userId), eq(userExtensions.id, extension.id)));
  return db.insert(userExtensions).values({
    id: extension.id,
    userId,
    name: extension.name,
    version: extension.version,
    kind: extension.kind,
    createdAt: values.updatedAt,
    ...values,
  });
}

export async function removeExtension(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const userId = principal.userId;
  const extension = await getExtension(env, userId, id);
  if (builtinExtension(extension.name)?.defaultEnabled)
    throw new AppError(409, "cannot_uninstall", `${extension.name} is part of every account; disable it instead`);
  const db = getDb(env);
  await db.batch([
    db.delete(userExtensions).where(and(eq(userExtensions.userId, userId), eq(userExtensions.id, extension.id))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "extension.uninstall",
      resourceType: "extension",
      resourceId: extension.id,
      oldValues: { name: extension.name, kind: extension.kind, mcp_url: extension.mcpUrl },
    }),
  ]);
  return extension;
}

/** Asks an MCP server for its tools again and stores them. */
export async function refreshExtension(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const userId = principal.userId;
  const extension = await getExtension(env, userId, id);
  if (extension.kind !== "mcp" || !extension.mcpUrl)
    throw new AppError(409, "not_refreshable", "Only MCP server extensions can be refreshed");
  const secrets = await openSecrets(env, userId, extension.name, extension.secretsEncrypted);
  const remote = await discover(env, extension.mcpUrl, { ...extension.config, ...secrets });
  const now = Date.now();
  const db = getDb(env);
  await db.batch([
    db
      .update(userExtensions)
      .set({ mcpTools: remote.tools, version: remote.version.slice(0, 50), updatedAt: now })
      .where(and(eq(userExtensions.userId, userId), eq(userExtensions.id, extension.id))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "extension.refresh",
      resourceType: "extension",
      resourceId: extension.id,
      newValues: { tools: remote.tools.map((tool) => tool.name), version: remote.version },
    }),
  ]);
  return getExtension(env, userId, extension.id);
}
