/**
 * API keys: random secrets shown once, stored as SHA-256 hashes, each limited to
 * scopes its creator holds. The auth middleware looks keys up by hash and calls
 * `touchApiKey`, which writes `last_used_at` at most once a minute per key.
 */
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { AppError } from "../../errors";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import type { Scope } from "../auth/scopes";
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

export async function createApiKey(
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
  if (expiresAt !== null && expiresAt <= Date.now()) {
    throw new AppError(422, "invalid_expiry", "expires_at must be in the future");
  }
  const secret = randomToken(API_KEY_PREFIX.slice(0, -1));
  const row = {
    id: newId(),
    userId: principal.userId,
    name: input.name,
    prefix: secret.slice(0, 12),
    keyHash: await sha256Hex(secret),
    scopes: [...new Set(input.scopes)],
    expiresAt,
    createdAt: Date.now(),
  };
  const key = toApiKey({ ...row, lastUsedAt: null, revokedAt: null });
  await db.batch([
    db.insert(apiKeys).values(row),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "apikey.create",
      resourceType: "api_key",
      resourceId: row.id,
      newValues: { name: key.name, prefix: key.prefix, scopes: key.scopes, expires_at: key.expires_at },
    }),
  ]);
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

export async function revokeApiKey(db: Db, principal: Principal, id: string, meta: RequestMeta) {
  const row = await getOwnApiKey(db, principal.userId, id);
  if (row.revokedAt) throw new AppError(409, "already_revoked", "This API key is already revoked");
  const revokedAt = Date.now();
  await db.batch([
    db
      .update(apiKeys)
      .set({ revokedAt })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "apikey.revoke",
      resourceType: "api_key",
      resourceId: id,
      oldValues: { revoked_at: null },
      newValues: { revoked_at: new Date(revokedAt).toISOString() },
    }),
  ]);
  return toApiKey({ ...row, revokedAt });
}
