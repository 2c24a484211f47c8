/**
 * Login sessions as refresh-token families: a login starts a family; each refresh
 * spends one token and issues the next; presenting a spent token means it leaked,
 * so the whole family is revoked. Revoking a family also denies its access tokens
 * (revoked_sessions, checked by the auth middleware on every request) and, for as long
 * as any refresh token of the family could still be valid, refuses to extend it.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Role, refreshTokens, revokedSessions } from "../../db/schema";
import { AppError } from "../../errors";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { accessTokenTtlSeconds, signAccessToken } from "./access-tokens";

export const REFRESH_PREFIX = "ewr";

export type TokenPair = {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
  session_id: string;
};

/** How long refresh tokens live (REFRESH_TOKEN_TTL_SECONDS, 30 days by default). */
export function refreshTokenTtlSeconds(env: Pick<Env, "REFRESH_TOKEN_TTL_SECONDS">): number {
  return Number(env.REFRESH_TOKEN_TTL_SECONDS) || 2_592_000;
}

async function refreshTokenRow(env: Env, userId: string, familyId: string, meta: RequestMeta) {
  const token = randomToken(REFRESH_PREFIX);
  const ttl = refreshTokenTtlSeconds(env);
  const row = {
    id: newId(),
    userId,
    familyId,
    tokenHash: await sha256Hex(token),
    createdAt: Date.now(),
    expiresAt: Date.now() + ttl * 1000,
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
  return { token, row };
}

async function pair(
  env: Env,
  user: { id: string; role: Role },
  familyId: string,
  refreshToken: string,
): Promise<TokenPair> {
  const access = await signAccessToken(env, { userId: user.id, role: user.role, sessionId: familyId });
  return {
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: "Bearer",
    expires_in: access.expiresIn,
    session_id: familyId,
  };
}

/** A new session for a user who just proved who they are; the insert is returned to batch. */
export async function startSession(env: Env, db: Db, user: { id: string; role: Role }, meta: RequestMeta) {
  const familyId = newId();
  const { token, row } = await refreshTokenRow(env, user.id, familyId, meta);
  return { tokens: await pair(env, user, familyId, token), statement: db.insert(refreshTokens).values(row) };
}

/**
 * Statements that end a session: its refresh tokens and every access token it minted.
 * The revocation row outlives the longest token the family could hold (access or
 * refresh), so housekeeping cannot bring a session back by pruning it early.
 */
export function revokeSessionStatements(env: Env, db: Db, userId: string, familyId: string, reason: string) {
  const now = Date.now();
  const keepMs = Math.max(accessTokenTtlSeconds(env), refreshTokenTtlSeconds(env)) * 1000;
  return [
    db
      .update(refreshTokens)
      .set({ revokedAt: now, revokedReason: reason })
      .where(
        and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)),
      ),
    db
      .insert(revokedSessions)
      .values({ familyId, userId, reason, expiresAt: now + keepMs, createdAt: now })
      .onConflictDoUpdate({
        target: revokedSessions.familyId,
        set: { expiresAt: sql`MAX(${revokedSessions.expiresAt}, excluded.expires_at)` },
      }),
  ] as const;
}

export type RotateOutcome =
  | { kind: "rotated"; userId: string; familyId: string }
  | { kind: "reused"; userId: string; familyId: string };

/**
 * Spends a refresh token. Returns "reused" when it was already spent (the caller
 * revokes the family and audits it); throws 401 when it is unknown, revoked or expired.
 */
export async function spendRefreshToken(db: Db, token: string): Promise<RotateOutcome> {
  const tokenHash = await sha256Hex(token);
  const now = Date.now();
  const [spent] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
        // A family revoked while this token was being spent must not live on.
        sql`NOT EXISTS (SELECT 1 FROM ${revokedSessions} WHERE ${revokedSessions.familyId} = ${refreshTokens.familyId})`,
      ),
    )
    .returning({ userId: refreshTokens.userId, familyId: refreshTokens.familyId });
  if (spent) return { kind: "rotated", ...spent };

  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, tokenHash) });
  if (row?.usedAt && !row.revokedAt) return { kind: "reused", userId: row.userId, familyId: row.familyId };
  throw new AppError(401, "invalid_refresh_token", "The refresh token is invalid, revoked or expired");
}

/**
 * Issues the next token of a family after a successful spend. The insert and the
 * check that the family is still live are one statement, so a logout, password
 * reset or reuse detection that lands between the spend and this insert wins:
 * nothing is inserted and the caller gets 401 instead of a session back.
 */
export async function continueSession(
  env: Env,
  db: Db,
  user: { id: string; role: Role },
  familyId: string,
  meta: RequestMeta,
) {
  const { token, row } = await refreshTokenRow(env, user.id, familyId, meta);
  const result = await db.run(sql`
    INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, ip, user_agent)
    SELECT ${row.id}, ${row.userId}, ${row.familyId}, ${row.tokenHash}, ${row.createdAt}, ${row.expiresAt},
           ${row.ip}, ${row.userAgent}
    WHERE NOT EXISTS (SELECT 1 FROM revoked_sessions WHERE family_id = ${familyId})
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ${familyId} AND revoked_at IS NOT NULL)`);
  if (result.meta.changes !== 1) {
    throw new AppError(401, "invalid_refresh_token", "The refresh token is invalid, revoked or expired");
  }
  return pair(env, user, familyId, token);
}
