/**
 * One-time tokens sent by email (verification, password reset). Only their hash
 * is stored; using one marks it used in a conditional UPDATE, so two concurrent
 * uses cannot both succeed.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type USER_TOKEN_KINDS, userTokens } from "../../db/schema";
import { AppError } from "../../errors";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { outboxInsert } from "../email/sender";
import { passwordResetEmail, verificationEmail } from "../email/templates";

type Kind = (typeof USER_TOKEN_KINDS)[number];

const TTL_MS: Record<Kind, number> = { verify_email: 24 * 3600_000, reset_password: 3600_000 };
const PREFIX: Record<Kind, string> = { verify_email: "ewv", reset_password: "ewp" };

export async function issueOneTimeToken(db: Db, userId: string, kind: Kind) {
  const token = randomToken(PREFIX[kind]);
  const statement = db.insert(userTokens).values({
    id: newId(),
    userId,
    kind,
    tokenHash: await sha256Hex(token),
    expiresAt: Date.now() + TTL_MS[kind],
    createdAt: Date.now(),
  });
  return { token, statement };
}

const EMAILS = { verify_email: verificationEmail, reset_password: passwordResetEmail };

/**
 * A one-time token and the email carrying its link, as statements for the caller's
 * batch, so the token never exists without its message (or the other way round).
 */
export async function oneTimeLinkMail(env: Env, db: Db, user: { id: string; email: string; name: string }, kind: Kind) {
  const issued = await issueOneTimeToken(db, user.id, kind);
  const message = outboxInsert(db, env, {
    userId: user.id,
    to: user.email,
    ...EMAILS[kind](env.APP_URL, user.name, issued.token),
  });
  return { outboxId: message.id, statements: [issued.statement, message.statement] as const };
}

/** Marks the token used and returns its user; 400 if it is unknown, used or expired. */
export async function consumeOneTimeToken(db: Db, kind: Kind, token: string): Promise<string> {
  const now = Date.now();
  const [row] = await db
    .update(userTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(userTokens.tokenHash, await sha256Hex(token)),
        eq(userTokens.kind, kind),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .returning({ userId: userTokens.userId });
  if (!row) throw new AppError(400, "invalid_token", "This link is invalid, already used or expired");
  return row.userId;
}
