/**
 * Accounts: your own profile, and the admin's view of everyone (list, role
 * changes, deactivation). Deactivating an account ends all its sessions; its
 * API keys stop working because the auth middleware checks `is_active`.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Role, users } from "../../db/schema";
import { AppError } from "../../errors";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import { revokeAllSessions } from "../auth/password-reset";
import type { Principal } from "../auth/principal";
import { toUser } from "./schemas";

export async function getUser(db: Db, id: string) {
  const row = await db.query.users.findFirst({ where: eq(users.id, id) });
  if (!row) throw new AppError(404, "not_found", "User not found");
  return row;
}

export async function updateProfile(db: Db, principal: Principal, input: { name: string }, meta: RequestMeta) {
  const before = await getUser(db, principal.userId);
  const now = Date.now();
  await db.batch([
    db.update(users).set({ name: input.name, updatedAt: now }).where(eq(users.id, principal.userId)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "user.update",
      resourceType: "user",
      resourceId: principal.userId,
      oldValues: { name: before.name },
      newValues: { name: input.name },
    }),
  ]);
  return toUser({ ...before, name: input.name, updatedAt: now });
}

export async function listUsers(
  db: Db,
  query: {
    limit: number;
    cursor?: string | undefined;
    role?: Role | undefined;
    is_active?: "true" | "false" | undefined;
    email?: string | undefined;
  },
) {
  const page = keyset(users, query.cursor);
  const rows = await db
    .select()
    .from(users)
    .where(
      and(
        query.role ? eq(users.role, query.role) : undefined,
        query.is_active ? eq(users.isActive, query.is_active === "true") : undefined,
        // instr, not LIKE: `_` (common in addresses) and `%` in a filter are literal characters, not wildcards.
        query.email ? sql`instr(${users.email}, ${query.email.toLowerCase()}) > 0` : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toUser);
}

export async function adminUpdateUser(
  env: Env,
  db: Db,
  principal: Principal,
  id: string,
  input: { role?: Role | undefined; is_active?: boolean | undefined },
  meta: RequestMeta,
) {
  const before = await getUser(db, id);
  if (id === principal.userId) {
    throw new AppError(409, "cannot_modify_self", "Admins cannot change their own role or deactivate themselves");
  }
  const changes = {
    role: input.role ?? before.role,
    isActive: input.is_active ?? before.isActive,
    updatedAt: Date.now(),
  };
  const deactivating = before.isActive && !changes.isActive;
  await db.batch([
    db.update(users).set(changes).where(eq(users.id, id)),
    ...(deactivating ? await revokeAllSessions(env, db, id, "deactivated") : []),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: id,
      action: "admin.user_update",
      resourceType: "user",
      resourceId: id,
      oldValues: { role: before.role, is_active: before.isActive },
      newValues: { role: changes.role, is_active: changes.isActive },
    }),
  ]);
  return toUser({ ...before, ...changes });
}
