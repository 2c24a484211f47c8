/**
 * Login, refresh and logout. Login checks the password (against a decoy hash
 * when the email is unknown, so timing reveals nothing), then starts a session.
 * Refresh rotates the token; a reused token revokes its whole session.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema";
import { AppError } from "../../errors";
import type { RequestMeta } from "../../lib/request-meta";
import { auditInsert } from "../audit/record";
import { increment } from "../observability/collector";
import { toUser } from "../users/schemas";
import { decoyPasswordHash, passwordIterations, verifyPassword } from "./passwords";
import type { Principal } from "./principal";
import { continueSession, revokeSessionStatements, spendRefreshToken, startSession } from "./refresh-families";

export async function login(env: Env, db: Db, input: { email: string; password: string }, meta: RequestMeta) {
  const user = await db.query.users.findFirst({ where: eq(users.email, input.email) });
  const stored = user?.passwordHash ?? (await decoyPasswordHash(passwordIterations(env)));
  const valid = await verifyPassword(input.password, stored);
  if (!user || !valid) {
    increment("auth_events_total", { event: "login_failed" });
    throw new AppError(401, "invalid_credentials", "Email or password is wrong");
  }
  if (!user.isActive) throw new AppError(403, "account_disabled", "This account is deactivated");
  if (!user.emailVerifiedAt) {
    throw new AppError(
      403,
      "email_not_verified",
      "Verify your email first; POST /api/v1/auth/verify-email/resend sends a new link",
    );
  }
  const session = await startSession(env, db, user, meta);
  const now = Date.now();
  await db.batch([
    session.statement,
    db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id)),
    auditInsert(
      db,
      meta,
      { type: "user", id: user.id },
      {
        ownerId: user.id,
        action: "auth.login",
        resourceType: "session",
        resourceId: session.tokens.session_id,
      },
    ),
  ]);
  increment("auth_events_total", { event: "login" });
  return { ...session.tokens, user: toUser({ ...user, lastLoginAt: now }) };
}

export type RefreshResult =
  | { ok: true; tokens: Awaited<ReturnType<typeof continueSession>>; userId: string }
  | { ok: false; userId: string; sessionId: string };

export async function refresh(env: Env, db: Db, token: string, meta: RequestMeta): Promise<RefreshResult> {
  const outcome = await spendRefreshToken(db, token);
  if (outcome.kind === "reused") {
    await db.batch([
      ...revokeSessionStatements(env, db, outcome.userId, outcome.familyId, "refresh_token_reused"),
      auditInsert(
        db,
        meta,
        { type: "system", id: null },
        {
          ownerId: outcome.userId,
          action: "auth.refresh_token_reused",
          resourceType: "session",
          resourceId: outcome.familyId,
          newValues: { revoked: true },
        },
      ),
    ]);
    increment("auth_events_total", { event: "refresh_reuse_detected" });
    return { ok: false, userId: outcome.userId, sessionId: outcome.familyId };
  }
  const user = await db.query.users.findFirst({ where: eq(users.id, outcome.userId) });
  if (!user?.isActive) throw new AppError(403, "account_disabled", "This account is deactivated");
  const tokens = await continueSession(env, db, user, outcome.familyId, meta);
  increment("auth_events_total", { event: "refresh" });
  return { ok: true, tokens, userId: user.id };
}

/** Ends the caller's session: its refresh tokens stop working and its access tokens are denied. */
export async function logout(env: Env, db: Db, principal: Principal, meta: RequestMeta) {
  if (principal.via !== "session") {
    throw new AppError(400, "not_a_session", "API keys have no session to end; revoke the key instead");
  }
  await db.batch([
    ...revokeSessionStatements(env, db, principal.userId, principal.sessionId, "logout"),
    auditInsert(
      db,
      meta,
      { type: "user", id: principal.userId },
      {
        ownerId: principal.userId,
        action: "auth.logout",
        resourceType: "session",
        resourceId: principal.sessionId,
      },
    ),
  ]);
  increment("auth_events_total", { event: "logout" });
  return principal.sessionId;
}
