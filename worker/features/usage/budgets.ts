/**
 * Budgets: a user's limits in tokens and/or dollars on their own usage, an
 * agent's, or a session's, per UTC day, month or in total. The chat pipeline
 * enforces them through the ledger (./service.ts); these are the CRUD operations
 * behind /api/v1/budgets, each in one D1 batch with its audit row.
 */
import { and, eq, inArray, or } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { agents, type BudgetScope, budgets, chatSessions } from "../../db/schema";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import { utcDay } from "./days";
import {
  type BudgetDto,
  type CreateBudgetInput,
  type PeriodSpend,
  toBudget,
  toMicros,
  toUsd,
  type UpdateBudgetInput,
} from "./schemas";
import { NO_SPEND, readSpend, spendStatement } from "./spend";

type BudgetRow = typeof budgets.$inferSelect;

/** Current spend for each budget's subject, in one D1 batch (one query per distinct subject). */
async function withSpend(env: Env, userId: string, rows: BudgetRow[]): Promise<BudgetDto[]> {
  const subjects = [...new Map(rows.map((row) => [`${row.scope}:${row.scopeId}`, row])).values()];
  if (subjects.length === 0) return [];
  const today = utcDay();
  const results = await env.DB.batch(
    subjects.map((row) => spendStatement(env, userId, row.scope, row.scope === "user" ? userId : row.scopeId, today)),
  );
  const spend = new Map<string, PeriodSpend>(
    subjects.map((row, i) => [`${row.scope}:${row.scopeId}`, readSpend(results[i])]),
  );
  return rows.map((row) => toBudget(row, spend.get(`${row.scope}:${row.scopeId}`) ?? NO_SPEND));
}

export async function listBudgets(
  env: Env,
  userId: string,
  query: { limit: number; cursor?: string | undefined; scope?: BudgetScope | undefined; scope_id?: string | undefined },
) {
  const page = keyset(budgets, query.cursor);
  const rows = await getDb(env)
    .select()
    .from(budgets)
    .where(
      and(
        eq(budgets.userId, userId),
        query.scope ? eq(budgets.scope, query.scope) : undefined,
        query.scope_id ? eq(budgets.scopeId, query.scope_id) : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  const { items, next_cursor } = toPage(rows, query.limit, (row) => row);
  return { items: await withSpend(env, userId, items), next_cursor };
}

async function getOwnBudget(db: Db, userId: string, id: string): Promise<BudgetRow> {
  const row = await db.query.budgets.findFirst({ where: and(eq(budgets.id, id), eq(budgets.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "Budget not found");
  return row;
}

/** An agent or session budget must name one of the caller's own; anything else is "not found". */
async function assertOwnSubject(db: Db, userId: string, scope: BudgetScope, id: string) {
  if (scope === "user") return;
  const table = scope === "agent" ? agents : chatSessions;
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, id), eq(table.userId, userId)))
    .limit(1);
  if (!row) throw new AppError(404, "not_found", scope === "agent" ? "Agent not found" : "Session not found");
}

function isDuplicate(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes("UNIQUE constraint failed: budgets.")) return true;
  }
  return false;
}

const auditView = (budget: BudgetDto) => {
  const { used: _used, created_at: _c, updated_at: _u, ...rest } = budget;
  return rest;
};

export async function createBudget(env: Env, principal: Principal, input: CreateBudgetInput, meta: RequestMeta) {
  const db = getDb(env);
  const scopeId = input.scope_id ?? "";
  await assertOwnSubject(db, principal.userId, input.scope, scopeId);
  const now = Date.now();
  const row: BudgetRow = {
    id: newId(),
    userId: principal.userId,
    scope: input.scope,
    scopeId,
    period: input.period,
    maxTokens: input.max_tokens ?? null,
    maxCostMicros: input.max_cost_usd === undefined ? null : toMicros(input.max_cost_usd),
    createdAt: now,
    updatedAt: now,
  };
  const [budget] = await withSpend(env, principal.userId, [row]);
  try {
    await db.batch([
      db.insert(budgets).values(row),
      auditInsert(db, meta, actorOf(principal), {
        ownerId: principal.userId,
        action: "budget.create",
        resourceType: "budget",
        resourceId: row.id,
        newValues: auditView(budget!),
      }),
    ]);
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    throw new AppError(409, "budget_exists", `A ${input.period} budget for this ${input.scope} already exists`, {
      scope: input.scope,
      scope_id: input.scope_id ?? null,
      period: input.period,
    });
  }
  return budget!;
}

export async function updateBudget(
  env: Env,
  principal: Principal,
  id: string,
  input: UpdateBudgetInput,
  meta: RequestMeta,
) {
  const db = getDb(env);
  const before = await getOwnBudget(db, principal.userId, id);
  const after: BudgetRow = {
    ...before,
    maxTokens: input.max_tokens === undefined ? before.maxTokens : input.max_tokens,
    maxCostMicros:
      input.max_cost_usd === undefined
        ? before.maxCostMicros
        : input.max_cost_usd === null
          ? null
          : toMicros(input.max_cost_usd),
    updatedAt: Date.now(),
  };
  if (after.maxTokens === null && after.maxCostMicros === null) {
    throw new AppError(
      422,
      "budget_without_limit",
      "A budget needs max_tokens, max_cost_usd or both; delete it instead",
    );
  }
  const limits = (row: BudgetRow) => ({
    max_tokens: row.maxTokens,
    max_cost_usd: row.maxCostMicros === null ? null : toUsd(row.maxCostMicros),
  });
  await db.batch([
    db
      .update(budgets)
      .set({ maxTokens: after.maxTokens, maxCostMicros: after.maxCostMicros, updatedAt: after.updatedAt })
      .where(and(eq(budgets.id, id), eq(budgets.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "budget.update",
      resourceType: "budget",
      resourceId: id,
      oldValues: limits(before),
      newValues: limits(after),
    }),
  ]);
  const [budget] = await withSpend(env, principal.userId, [after]);
  return budget!;
}

export async function deleteBudget(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const db = getDb(env);
  const row = await getOwnBudget(db, principal.userId, id);
  const [budget] = await withSpend(env, principal.userId, [row]);
  await db.batch([
    db.delete(budgets).where(and(eq(budgets.id, id), eq(budgets.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "budget.delete",
      resourceType: "budget",
      resourceId: id,
      oldValues: auditView(budget!),
    }),
  ]);
}

/** For an agent's deletion batch: its budgets and its sessions' (run before the sessions cascade away). */
export function budgetDeletesForAgent(db: Db, userId: string, agentId: string) {
  const sessionIds = db
    .select({ id: chatSessions.id })
    .from(chatSessions)
    .where(and(eq(chatSessions.agentId, agentId), eq(chatSessions.userId, userId)));
  return db
    .delete(budgets)
    .where(
      and(
        eq(budgets.userId, userId),
        or(
          and(eq(budgets.scope, "agent"), eq(budgets.scopeId, agentId)),
          and(eq(budgets.scope, "session"), inArray(budgets.scopeId, sessionIds)),
        ),
      ),
    );
}

/** For a session's deletion batch (the sessions feature): the budgets that name it. */
export function budgetDeletesForSession(db: Db, userId: string, sessionId: string) {
  return db
    .delete(budgets)
    .where(and(eq(budgets.userId, userId), eq(budgets.scope, "session"), eq(budgets.scopeId, sessionId)));
}
