/**
 * Authentication and authorization for routes built with `securedRoute`.
 * A caller presents an access JWT (`Authorization: Bearer eyJ…`) or an API key
 * (`Authorization: Bearer ewk_…` or `X-API-Key`). Each request re-checks the
 * account and session in one D1 query, so logout, deactivation and role changes
 * take effect at once, and takes a token from the caller's rate-limit bucket.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { RateDecision } from "../../durable-objects/rate-limiter/rate-limiter";
import type { AppEnv } from "../context";
import type { Role } from "../db/schema";
import { AppError } from "../errors";
import { API_KEY_PREFIX, touchApiKey } from "../features/api-keys/service";
import { type AccessClaims, verifyAccessToken } from "../features/auth/access-tokens";
import { sessionState } from "../features/auth/credentials";
import { type Principal, principalKey } from "../features/auth/principal";
import { type Scope, scopesFor } from "../features/auth/scopes";
import { getConfig } from "../features/config/service";
import { applyDecision, consume } from "../features/rate-limits/limiter";
import { sha256Hex } from "../lib/crypto";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="edgewise"' };

function unauthorized(code: string, message: string) {
  return new AppError(401, code, message, undefined, CHALLENGE);
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(headers: Headers): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
}

export function readCredential(headers: Headers): string | undefined {
  return headers.get("x-api-key")?.trim() || bearerToken(headers);
}

async function sessionPrincipal(env: Env, claims: AccessClaims): Promise<Principal> {
  const row = await sessionState(env, claims.sub, claims.sid);
  if (!row) throw unauthorized("token_revoked", "This session has ended; log in again");
  // Deactivation also ends every session; saying "disabled" first tells the client why.
  if (!row.is_active) throw new AppError(403, "account_disabled", "This account is deactivated");
  if (row.revoked) throw unauthorized("token_revoked", "This session has ended; log in again");
  return {
    userId: claims.sub,
    role: row.role,
    scopes: scopesFor(row.role),
    via: "session",
    sessionId: claims.sid,
    tokenExpiresAt: claims.exp * 1000,
  };
}

type KeyRow = {
  id: string;
  user_id: string;
  scopes: string;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  role: Role;
  is_active: number;
};

async function apiKeyPrincipal(c: Context<AppEnv>, key: string): Promise<Principal> {
  const row = await c.env.DB.prepare(
    `SELECT k.id, k.user_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, u.role, u.is_active
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?`,
  )
    .bind(await sha256Hex(key))
    .first<KeyRow>();
  if (!row) throw unauthorized("invalid_api_key", "The API key is not valid");
  if (row.revoked_at) throw unauthorized("api_key_revoked", "The API key was revoked");
  if (row.expires_at && row.expires_at <= Date.now()) throw unauthorized("api_key_expired", "The API key has expired");
  if (!row.is_active) throw new AppError(403, "account_disabled", "This account is deactivated");
  c.executionCtx.waitUntil(touchApiKey(c.env, row.id, row.last_used_at));
  return {
    userId: row.user_id,
    role: row.role,
    scopes: scopesFor(row.role, JSON.parse(row.scopes) as string[]),
    via: "api_key",
    apiKeyId: row.id,
  };
}

async function spendRequest(env: Env, bucket: string) {
  const rule = await getConfig(env, "rate_limits");
  return consume(env, `api:${bucket}`, rule.api_per_principal);
}

/** The principal and its rate-limit decision, the two lookups in parallel where the bucket is known up front. */
async function identify(c: Context<AppEnv>, credential: string): Promise<[Principal, RateDecision]> {
  if (credential.startsWith(API_KEY_PREFIX)) {
    const principal = await apiKeyPrincipal(c, credential);
    return [principal, await spendRequest(c.env, principalKey(principal))];
  }
  const claims = await verifyAccessToken(c.env, credential);
  if (!claims) throw unauthorized("invalid_token", "The access token is invalid or expired");
  // A session's bucket is its user's, named in the signed claims: no need to wait for D1.
  return Promise.all([sessionPrincipal(c.env, claims), spendRequest(c.env, `user:${claims.sub}`)]);
}

/** Identifies the caller (401 if it can't) and spends one request of its rate limit. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const credential = readCredential(c.req.raw.headers);
  if (!credential) throw unauthorized("missing_credentials", "Send Authorization: Bearer <token> or X-API-Key");
  const [principal, decision] = await identify(c, credential);
  applyDecision(c, decision);
  c.set("principal", principal);
  await next();
};

/** 403 unless the caller holds every scope listed (role ∩ API key scopes). */
export function requireScopes(required: readonly Scope[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const missing = required.filter((scope) => !c.var.principal.scopes.has(scope));
    if (missing.length) {
      throw new AppError(403, "insufficient_scope", "Your role or API key does not allow this", {
        required,
        missing,
      });
    }
    await next();
  };
}
