/**
 * Reads and writes system settings. Reads sit on the hot path (rate limits run on
 * every request), so each isolate keeps the table for a few seconds; a write
 * clears this isolate's copy at once and others within CACHE_MS.
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

/** A setting's stored value, or its default when unset or no longer valid. */
export async function getConfig<K extends ConfigKey>(env: Env, key: K): Promise<ConfigValue<K>> {
  const entry = CONFIG_REGISTRY[key];
  const parsed = entry.schema.safeParse((await loadAll(env)).get(key));
  return (parsed.success ? parsed.data : entry.default) as ConfigValue<K>;
}

export type ConfigEntry = {
  key: ConfigKey;
  value: unknown;
  description: string;
  is_public: boolean;
  is_default: boolean;
};

/** A setting as clients see it; `stored` is undefined when the setting was never set. */
export function configEntry(key: ConfigKey, stored: { value: unknown } | undefined): ConfigEntry {
  return {
    key,
    value: stored ? stored.value : CONFIG_REGISTRY[key].default,
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
    configEntry(key, stored.has(key) ? { value: stored.get(key) } : undefined),
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
