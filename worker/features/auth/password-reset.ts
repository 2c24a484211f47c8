/**
 * Password reset by emailed link. Asking never says whether the account exists;
 * confirming sets the new password, ends every session of the account, and
 * counts as proof of the email address.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { refreshTokens, users } from "../../db/schema";
import type { RequestMeta } from "../../lib/request-meta";
import { auditInsert } from "../audit/record";
import { consumeOneTimeToken, oneTimeLinkMail } from "./one-time-tokens";
import { hashPassword, passwordIterations } from "./passwords";
import { revokeSessionStatements } from "./refresh-families";

export async function requestPasswordReset(env: Env, db: Db, email: string) {
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (!user?.isActive) return null;
  const mail = await oneTimeLinkMail(env, db, user, "reset_password");
  await db.batch(mail.statements);
  return mail.outboxId;
}

/** Statements ending every live session of a user (password reset, deactivation). */
export async function revokeAllSessions(env: Env, db: Db, userId: string, reason: string) {
  const live = await db
    .selectDistinct({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(
      and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, Date.now())),
    );
  return live.flatMap(({ familyId }) => revokeSessionStatements(env, db, userId, familyId, reason));
}

export async function confirmPasswordReset(
  env: Env,
  db: Db,
  input: { token: string; password: string },
  meta: RequestMeta,
) {
  const userId = await consumeOneTimeToken(db, "reset_password", input.token);
  const passwordHash = await hashPassword(input.password, passwordIterations(env));
  const now = Date.now();
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  await db.batch([
    db
      .update(users)
      .set({ passwordHash, updatedAt: now, emailVerifiedAt: user?.emailVerifiedAt ?? now })
      .where(eq(users.id, userId)),
    ...(await revokeAllSessions(env, db, userId, "password_reset")),
    auditInsert(
      db,
      meta,
      { type: "user", id: userId },
      {
        ownerId: userId,
        action: "user.password_reset",
        resourceType: "user",
        resourceId: userId,
        newValues: { password: "changed" },
      },
    ),
  ]);
  return userId;
}
