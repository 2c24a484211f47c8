/**
 * Results of cacheable tools in D1 (`tool_cache`), per user: the key hashes the
 * user, the tool and the validated input with its keys sorted, so `{a,b}` and
 * `{b,a}` share an entry. Rows past `expires_at` count as misses and are overwritten.
 */
import { and, eq, gt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { toolCache } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function cacheKey(userId: string, tool: string, input: unknown): Promise<string> {
  return sha256Hex(`${userId}\u0000${tool}\u0000${canonicalJson(input)}`);
}

export async function readCache(env: Env, key: string): Promise<{ output: unknown } | undefined> {
  const [row] = await getDb(env)
    .select({ output: toolCache.output })
    .from(toolCache)
    .where(and(eq(toolCache.key, key), gt(toolCache.expiresAt, Date.now())));
  return row ? { output: row.output } : undefined;
}

export async function writeCache(
  env: Env,
  entry: { key: string; userId: string; tool: string; output: unknown; ttlSeconds: number },
): Promise<void> {
  const now = Date.now();
  const values = { output: entry.output, createdAt: now, expiresAt: now + entry.ttlSeconds * 1000 };
  await getDb(env)
    .insert(toolCache)
    .values({ key: entry.key, userId: entry.userId, tool: entry.tool, ...values })
    .onConflictDoUpdate({ target: toolCache.key, set: values });
}
