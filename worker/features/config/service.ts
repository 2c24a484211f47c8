/**
 * Reads and writes system settings. Reads sit on the hot path (rate limits run on
 * every request), so each isolate keeps the table for a few seconds; a write
 * clears this isolate's copy at once and others within CACHE_MS. A setting never
 * written falls back to the deployment's default (`CONFIG_DEFAULTS`, see
 * docs/api-conventions.md), then to the registry's.
 */
import { getDb } from "../../db/client";
import { systemConfig } from "../../db/schema";
import { CONFIG_REGISTRY, type ConfigKey, type ConfigValue } from "./registry";

const CACHE_MS = 5_000;
let cache: { at: number; rows: Map<string, unknown> } | undefined;

async function loadAll(env: Env): Promise<Map<string, unknown>> {
  if (cache && Date.now() - cache.at < CACHE_MS) return cache.rows;
  const rows = await getDb(env).select({ key: systemConfig.key, value: systemConfig.value }).from(systemConfig);
  cache = { at: Date.now(), rows: new Map(rows.map((row) => [row.key, row.value])) };
  return cache.rows;
}

export function invalidateConfigCache() {
  cache = undefined;
}

let deploymentDefaults: { source: string; values: Map<string, unknown> } | undefined;

/**
 * The `CONFIG_DEFAULTS` var: a JSON object of settings that replace the registry's
 * defaults for this deployment (tests use it to lift rate limits no table should hit).
 * Entries that are not valid for their key are ignored, loudly.
 */
function deploymentDefault(env: Env, key: ConfigKey): unknown {
  const source = env.CONFIG_DEFAULTS ?? "";
  if (deploymentDefaults?.source !== source) deploymentDefaults = { source, values: parseDefaults(source) };
  return deploymentDefaults.values.get(key);
}

function parseDefaults(source: string): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (!source.trim()) return values;
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch {
    console.error(JSON.stringify({ level: "error", msg: "CONFIG_DEFAULTS is not JSON; ignored" }));
  }
  for (const [key, value] of Object.entries(typeof raw === "object" && raw ? raw : {})) {
    const parsed = key in CONFIG_REGISTRY ? CONFIG_REGISTRY[key as ConfigKey].schema.safeParse(value) : undefined;
    if (parsed?.success) values.set(key, parsed.data);
    else console.error(JSON.stringify({ level: "error", msg: "CONFIG_DEFAULTS entry ignored", key }));
  }
  return values;
}

/** A setting's default in this deployment: `CONFIG_DEFAULTS`, else the registry's. */
export function defaultConfig<K extends ConfigKey>(env: Env, key: K): ConfigValue<K> {
  return (deploymentDefault(env, key) ?? CONFIG_REGISTRY[key].default) as ConfigValue<K>;
}

/** A setting's stored value, or its default when unset or no longer valid. */
export async function getConfig<K extends ConfigKey>(env: Env, key: K): Promise<ConfigValue<K>> {
  const parsed = CONFIG_REGISTRY[key].schema.safeParse((await loadAll(env)).get(key));
  return (parsed.success ? parsed.data : defaultConfig(env, key)) as ConfigValue<K>;
}

export type ConfigEntry = {
  key: ConfigKey;
  value: unknown;
  description: string;
  is_public: boolean;
  is_default: boolean;
};

/** A setting as clients see it; `stored` is undefined when the setting was never set. */
export function configEntry(env: Env, key: ConfigKey, stored: { value: unknown } | undefined): ConfigEntry {
  return {
    key,
    value: stored ? stored.value : defaultConfig(env, key),
    description: CONFIG_REGISTRY[key].description,
    is_public: CONFIG_REGISTRY[key].isPublic,
    is_default: !stored,
  };
}

/** Every setting; `fresh` skips this isolate's cache (for audit rows' old values). */
export async function listConfig(env: Env, fresh = false): Promise<ConfigEntry[]> {
  if (fresh) invalidateConfigCache();
  const stored = await loadAll(env);
  return (Object.keys(CONFIG_REGISTRY) as ConfigKey[]).map((key) =>
    configEntry(env, key, stored.has(key) ? { value: stored.get(key) } : undefined),
  );
}

export function upsertConfigStatement(env: Env, key: ConfigKey, value: unknown, actorId: string) {
  const entry = CONFIG_REGISTRY[key];
  const row = {
    key,
    value,
    description: entry.description,
    isPublic: entry.isPublic,
    updatedAt: Date.now(),
    updatedBy: actorId,
  };
  return getDb(env)
    .insert(systemConfig)
    .values(row)
    .onConflictDoUpdate({ target: systemConfig.key, set: { value, updatedAt: row.updatedAt, updatedBy: actorId } });
}
