/**
 * The scopes automation work runs with, decided each time it runs rather than once
 * when it was made: what was granted (stored on the task, run or schedule), cut to
 * what the owner's role grants now and, for work made through an API key, to what
 * that key holds now — nothing once it is revoked, expired or deleted. An inactive
 * owner's work does not run at all. The task queue and the run engine ask before
 * every action; schedules ask before they fire.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { apiKeys, users } from "../../../db/schema";
import type { Principal } from "../../auth/principal";
import { type Scope, scopesFor } from "../../auth/scopes";

/** What a task, run or schedule stores about who made it and with what. */
export type Grant = { userId: string; scopes: readonly string[]; apiKeyId: string | null };

export type Standing =
  | { ok: true; scopes: ReadonlySet<Scope> }
  | { ok: false; code: "owner_inactive"; message: string };

/** The API key a request came through, for work that outlives the request. */
export function apiKeyIdOf(principal: Principal): string | null {
  return principal.via === "api_key" ? principal.apiKeyId : null;
}

export async function standingOf(env: Env, grant: Grant, now = Date.now()): Promise<Standing> {
  const db = getDb(env);
  const owner = await db.query.users.findFirst({
    where: eq(users.id, grant.userId),
    columns: { role: true, isActive: true },
  });
  if (!owner?.isActive) {
    return {
      ok: false,
      code: "owner_inactive",
      message: "The owner's account is deactivated: their tasks, runs and schedules no longer run",
    };
  }
  const scopes = scopesFor(owner.role, grant.scopes);
  if (!grant.apiKeyId) return { ok: true, scopes };
  const key = await db.query.apiKeys.findFirst({
    where: and(eq(apiKeys.id, grant.apiKeyId), eq(apiKeys.userId, grant.userId)),
    columns: { scopes: true, revokedAt: true, expiresAt: true },
  });
  const live = key && key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
  return { ok: true, scopes: new Set(live ? [...scopes].filter((scope) => key.scopes.includes(scope)) : []) };
}
