/**
 * API keys: random secrets shown once, stored as SHA-256 hashes, each limited to
 * scopes its creator holds; a key made with a key never outlives it (its expiry is
 * capped, and revoking a key revokes every key made with it), and a user holds at
 * most `api_keys.max_active_per_user` active keys. The auth middleware looks keys up by hash and calls
 * `touchApiKey`, which writes `last_used_at` at most once a minute per key.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { AppError } from "../../errors";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert, auditInsertIf } from "../audit/record";
import type { Principal } from "../auth/principal";
import type { Scope } from "../auth/scopes";
import { getConfig } from "../config/service";
import { toApiKey } from "./schemas";

export const API_KEY_PREFIX = "ewk_";
const TOUCH_EVERY_MS = 60_000;

export async function touchApiKey(env: Env, id: string, lastUsedAt: number | null): Promise<void> {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt < TOUCH_EVERY_MS) return;
  await getDb(env)
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - TOUCH_EVERY_MS))));
}

/** The expiry a new key may have: any when a person asks; never past its own when a key asks. */
async function checkExpiry(db: Db, principal: Principal, expiresAt: number | null) {
  if (expiresAt !== null && expiresAt <= Date.now()) {
    throw new AppError(422, "invalid_expiry", "expires_at must be in the future");
  }
  if (principal.via !== "api_key") return;
  const creator = await db.query.apiKeys.findFirst({ where: eq(apiKeys.id, principal.apiKeyId) });
  const limit = creator?.expiresAt ?? null;
  if (limit !== null && (expiresAt === null || expiresAt > limit)) {
    throw new AppError(
      422,
      "expiry_beyond_creating_key",
      "A key made with an API key must expire no later than that key; set expires_at at or before it",
      { max_expires_at: new Date(limit).toISOString() },
    );
  }
}

/** Fewer active keys than the cap, counted when the insert runs (so two racing creates cannot both pass). */
const underCap = (userId: string, max: number, now: number) =>
  sql`(SELECT COUNT(*) FROM api_keys WHERE user_id = ${userId} AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > ${now})) < ${max}`;

export async function createApiKey(
  env: Env,
  db: Db,
  principal: Principal,
  input: { name: string; scopes: Scope[]; expires_at?: string | undefined },
  meta: RequestMeta,
) {
  const notGranted = input.scopes.filter((scope) => !principal.scopes.has(scope));
  if (notGranted.length) {
    throw new AppError(403, "scope_not_allowed", "A key cannot have scopes you do not hold", {
      not_granted: notGranted,
    });
  }
  const expiresAt = input.expires_at ? Date.parse(input.expires_at) : null;
  await checkExpiry(db, principal, expiresAt);
  const { max_active_per_user: max } = await getConfig(env, "api_keys");
  const secret = randomToken(API_KEY_PREFIX.slice(0, -1));
  const now = Date.now();
  const row = {
    id: newId(),
    userId: principal.userId,
    name: input.name,
    prefix: secret.slice(0, 12),
    keyHash: await sha256Hex(secret),
    scopes: [...new Set(input.scopes)],
    expiresAt,
    createdAt: now,
  };
  const parentKeyId = principal.via === "api_key" ? principal.apiKeyId : null;
  const key = toApiKey({ ...row, parentKeyId, lastUsedAt: null, revokedAt: null });
  const [inserted] = await db.batch([
    // Every column of api_keys, in the schema's order (drizzle inserts a raw SELECT into all of them).
    db.insert(apiKeys).select(sql`
      SELECT ${row.id}, ${row.userId}, ${row.name}, ${row.prefix}, ${row.keyHash}, ${JSON.stringify(row.scopes)},
             ${row.expiresAt}, NULL, NULL, ${row.createdAt}, ${parentKeyId}
      WHERE ${underCap(row.userId, max, now)}
        AND NOT EXISTS (SELECT 1 FROM api_keys WHERE id = ${parentKeyId} AND revoked_at IS NOT NULL)`),
    auditInsertIf(
      db,
      meta,
      actorOf(principal),
      {
        ownerId: principal.userId,
        action: "apikey.create",
        resourceType: "api_key",
        resourceId: row.id,
        newValues: { name: key.name, prefix: key.prefix, scopes: key.scopes, expires_at: key.expires_at },
      },
      sql`EXISTS (SELECT 1 FROM api_keys WHERE id = ${row.id})`,
    ),
  ]);
  if (inserted.meta.changes !== 1) {
    const parent = parentKeyId ? await db.query.apiKeys.findFirst({ where: eq(apiKeys.id, parentKeyId) }) : null;
    if (parent?.revokedAt) throw new AppError(401, "api_key_revoked", "The API key making this request was revoked");
    throw new AppError(409, "too_many_api_keys", `At most ${max} active API keys per user; revoke one first`, {
      max_active: max,
    });
  }
  return { key, secret };
}

export async function listApiKeys(
  db: Db,
  userId: string,
  query: { limit: number; cursor?: string | undefined; includeRevoked: boolean; prefix?: string | undefined },
) {
  const page = keyset(apiKeys, query.cursor);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.userId, userId),
        query.includeRevoked ? undefined : isNull(apiKeys.revokedAt),
        query.prefix ? eq(apiKeys.prefix, query.prefix) : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toApiKey);
}

/** The caller's own key; another user's id is indistinguishable from a missing one. */
export async function getOwnApiKey(db: Db, userId: string, id: string) {
  const row = await db.query.apiKeys.findFirst({ where: and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "API key not found");
  return row;
}

/** The key and every key made with it, at any depth, as a subquery of ids. */
const keyTree = (id: string) =>
  sql`WITH RECURSIVE tree(id) AS (SELECT ${id} UNION SELECT k.id FROM api_keys k JOIN tree ON k.parent_key_id = tree.id)
      SELECT id FROM tree`;

/** Revokes a key and, in the same statement, every unrevoked key made with it (they must not outlive it). */
export async function revokeApiKey(db: Db, principal: Principal, id: string, meta: RequestMeta) {
  const row = await getOwnApiKey(db, principal.userId, id);
  if (row.revokedAt) throw new AppError(409, "already_revoked", "This API key is already revoked");
  const revokedAt = Date.now();
  const live = and(
    eq(apiKeys.userId, principal.userId),
    isNull(apiKeys.revokedAt),
    sql`${apiKeys.id} IN (${keyTree(id)})`,
  );
  const descendants = (await db.select({ id: apiKeys.id }).from(apiKeys).where(live))
    .map((key) => key.id)
    .filter((keyId) => keyId !== id);
  await db.batch([
    db.update(apiKeys).set({ revokedAt }).where(live),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "apikey.revoke",
      resourceType: "api_key",
      resourceId: id,
      oldValues: { revoked_at: null },
      newValues: { revoked_at: new Date(revokedAt).toISOString(), made_with_it: descendants },
    }),
  ]);
  return { key: toApiKey({ ...row, revokedAt }), descendants };
}
