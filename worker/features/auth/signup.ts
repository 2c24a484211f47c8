/**
 * Registration and email verification (docs/architecture.md, Identity): register stores the
 * account unverified and mails a link; verifying the link enables login.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/schema";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import type { RequestMeta } from "../../lib/request-meta";
import { auditInsert } from "../audit/record";
import { getConfig } from "../config/service";
import { toUser } from "../users/schemas";
import { consumeOneTimeToken, oneTimeLinkMail } from "./one-time-tokens";
import { hashPassword, passwordIterations } from "./passwords";

const isUniqueViolation = (error: unknown) => String((error as Error)?.message).includes("UNIQUE constraint failed");

export async function register(
  env: Env,
  db: Db,
  input: { email: string; password: string; name: string },
  meta: RequestMeta,
) {
  if (!(await getConfig(env, "registration")).open) {
    throw new AppError(403, "registration_closed", "Registration is closed on this instance");
  }
  const existing = await db.query.users.findFirst({ where: eq(users.email, input.email), columns: { id: true } });
  if (existing) throw new AppError(409, "email_taken", "An account with this email already exists");

  const now = Date.now();
  const user = {
    id: newId(),
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password, passwordIterations(env)),
    role: "developer" as const,
    createdAt: now,
    updatedAt: now,
  };
  const mail = await oneTimeLinkMail(env, db, user, "verify_email");
  try {
    await db.batch([
      db.insert(users).values(user),
      ...mail.statements,
      auditInsert(
        db,
        meta,
        { type: "user", id: user.id },
        {
          ownerId: user.id,
          action: "user.register",
          resourceType: "user",
          resourceId: user.id,
          newValues: { email: user.email, name: user.name, role: user.role },
        },
      ),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError(409, "email_taken", "An account with this email already exists");
    throw error;
  }
  const row = await db.query.users.findFirst({ where: eq(users.id, user.id) });
  return { user: toUser(row!), outboxId: mail.outboxId };
}

export async function verifyEmail(db: Db, token: string, meta: RequestMeta) {
  const userId = await consumeOneTimeToken(db, "verify_email", token);
  const now = Date.now();
  await db.batch([
    db.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, userId)),
    auditInsert(
      db,
      meta,
      { type: "user", id: userId },
      {
        ownerId: userId,
        action: "user.verify_email",
        resourceType: "user",
        resourceId: userId,
        newValues: { email_verified: true },
      },
    ),
  ]);
  const row = await db.query.users.findFirst({ where: eq(users.id, userId) });
  return toUser(row!);
}

/** Mails a fresh link to an unverified account; says nothing about whether the email exists. */
export async function resendVerification(env: Env, db: Db, email: string) {
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (!user || user.emailVerifiedAt || !user.isActive) return null;
  const mail = await oneTimeLinkMail(env, db, user, "verify_email");
  await db.batch(mail.statements);
  return mail.outboxId;
}
