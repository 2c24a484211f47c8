/**
 * Short-lived access tokens: HS256 JWTs naming the user, role and session (the
 * refresh-token family). Revocation is checked per request against the session,
 * so a token dies with its session even before `exp`.
 */
import { sign, verify } from "hono/jwt";
import type { Role } from "../../db/schema";
import { hmacKey } from "../../lib/crypto";

export type AccessClaims = {
  sub: string;
  role: Role;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  typ: "access";
};

/** How long access tokens live (ACCESS_TOKEN_TTL_SECONDS, 15 minutes by default). */
export function accessTokenTtlSeconds(env: Pick<Env, "ACCESS_TOKEN_TTL_SECONDS">): number {
  return Number(env.ACCESS_TOKEN_TTL_SECONDS) || 900;
}

export async function signAccessToken(
  env: Pick<Env, "JWT_SECRET" | "ACCESS_TOKEN_TTL_SECONDS">,
  subject: { userId: string; role: Role; sessionId: string },
) {
  const iat = Math.floor(Date.now() / 1000);
  const ttl = accessTokenTtlSeconds(env);
  const claims: AccessClaims = {
    sub: subject.userId,
    role: subject.role,
    sid: subject.sessionId,
    jti: crypto.randomUUID(),
    iat,
    exp: iat + ttl,
    typ: "access",
  };
  return { token: await sign(claims, await hmacKey(env.JWT_SECRET), "HS256"), expiresIn: ttl, claims };
}

/** The claims of a valid, unexpired access token; null for anything else. */
export async function verifyAccessToken(env: Pick<Env, "JWT_SECRET">, token: string): Promise<AccessClaims | null> {
  try {
    const claims = (await verify(token, await hmacKey(env.JWT_SECRET), "HS256")) as Partial<AccessClaims>;
    if (claims.typ !== "access" || !claims.sub || !claims.sid || !claims.exp) return null;
    return claims as AccessClaims;
  } catch {
    return null;
  }
}
