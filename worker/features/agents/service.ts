/**
 * Agents: a user's named configurations of model, prompt, tools and pipeline
 * settings. Every change runs in one D1 batch with its audit row. Names are
 * unique per user; the insert or update itself refuses a taken name (see
 * `nameUnlessTaken`), so two concurrent requests cannot both win.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { startsWithText } from "../../db/like";
import { agents, chatSessions } from "../../db/schema";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import { messageSearch } from "../search/table";
import { budgetDeletesForAgent } from "../usage/budgets";
import { type AgentDto, type CreateAgentInput, toAgent, type UpdateAgentInput } from "./schemas";

type AgentRow = typeof agents.$inferSelect;

/**
 * The name, or NULL when another agent of the user already has it: the column's
 * NOT NULL constraint then fails the statement and rolls back its whole batch.
 * Without a unique index on (user_id, name), this keeps the check and the write atomic.
 */
function nameUnlessTaken(userId: string, name: string, exceptId?: string) {
  const except = exceptId ? sql` AND id <> ${exceptId}` : sql``;
  return sql`CASE WHEN EXISTS (SELECT 1 FROM agents WHERE user_id = ${userId} AND name = ${name}${except}) THEN NULL ELSE ${name} END`;
}

function isNameTaken(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes("NOT NULL constraint failed: agents.name")) return true;
  }
  return false;
}

/** Runs a batch that writes the agent's `name`; a name taken meanwhile (see nameUnlessTaken) becomes a 409. */
async function batchClaimingName(db: Db, name: string, statements: Parameters<Db["batch"]>[0]) {
  try {
    await db.batch(statements);
  } catch (error) {
    if (!isNameTaken(error)) throw error;
    throw new AppError(409, "agent_name_taken", `You already have an agent named "${name}"`, { name });
  }
}

/** A fallback equal to the primary model would only retry the model that just failed. */
function assertDistinctFallbacks(model: string, fallbacks: readonly string[]) {
  if (!fallbacks.includes(model)) return;
  throw new AppError(422, "invalid_fallback_models", "fallback_models must not include the agent's own model", {
    model,
  });
}

/** What the audit log keeps of an agent: everything but the prompt's text, which can be 20k characters. */
function auditView(agent: Partial<AgentDto>) {
  const { system_prompt, created_at: _c, updated_at: _u, id: _id, ...rest } = agent;
  return system_prompt === undefined ? rest : { ...rest, system_prompt_chars: system_prompt.length };
}

export type NewAgent = Required<Omit<CreateAgentInput, "config">> & {
  config: NonNullable<CreateAgentInput["config"]>;
  templateId: string | null;
};

/** The columns behind the API's agent fields (typed as given: all set for a new agent, some for a change). */
function columnsOf<T extends UpdateAgentInput>(input: T) {
  return {
    name: input.name as T["name"],
    type: input.type as T["type"],
    model: input.model as T["model"],
    fallbackModels: input.fallback_models as T["fallback_models"],
    systemPrompt: input.system_prompt as T["system_prompt"],
    tools: input.tools as T["tools"],
    config: input.config as T["config"],
    isActive: input.active as T["active"],
  };
}

export async function createAgent(db: Db, principal: Principal, input: NewAgent, meta: RequestMeta) {
  assertDistinctFallbacks(input.model, input.fallback_models);
  const now = Date.now();
  const row: AgentRow = {
    id: newId(),
    userId: principal.userId,
    ...columnsOf(input),
    templateId: input.templateId,
    createdAt: now,
    updatedAt: now,
  };
  const agent = toAgent(row);
  await batchClaimingName(db, row.name, [
    db.insert(agents).values({ ...row, name: nameUnlessTaken(row.userId, row.name) }),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "agent.create",
      resourceType: "agent",
      resourceId: row.id,
      newValues: auditView(agent),
    }),
  ]);
  return agent;
}

export async function listAgents(
  db: Db,
  userId: string,
  query: {
    limit: number;
    cursor?: string | undefined;
    type?: AgentRow["type"] | undefined;
    active?: string | undefined;
  },
) {
  const page = keyset(agents, query.cursor);
  const rows = await db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.userId, userId),
        query.type ? eq(agents.type, query.type) : undefined,
        query.active ? eq(agents.isActive, query.active === "true") : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toAgent);
}

/** The caller's own agent; another user's id is indistinguishable from a missing one. */
export async function getOwnAgent(db: Db, userId: string, id: string): Promise<AgentRow> {
  const row = await db.query.agents.findFirst({ where: and(eq(agents.id, id), eq(agents.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "Agent not found");
  return row;
}

/** Names of the user's agents that start with `base`, for numbering a template's copies. */
export async function namesLike(db: Db, userId: string, base: string): Promise<Set<string>> {
  const rows = await db
    .select({ name: agents.name })
    .from(agents)
    .where(and(eq(agents.userId, userId), startsWithText(agents.name, base)));
  return new Set(rows.map((row) => row.name));
}

export async function updateAgent(
  db: Db,
  principal: Principal,
  id: string,
  input: UpdateAgentInput,
  meta: RequestMeta,
) {
  const before = await getOwnAgent(db, principal.userId, id);
  const set = Object.fromEntries(Object.entries(columnsOf(input)).filter(([, value]) => value !== undefined));
  const after: AgentRow = { ...before, ...set, updatedAt: Date.now() };
  assertDistinctFallbacks(after.model, after.fallbackModels);
  const old = toAgent(before);
  const updated = toAgent(after);
  const changed = Object.keys(input) as (keyof AgentDto)[];
  const pick = (agent: AgentDto) => auditView(Object.fromEntries(changed.map((key) => [key, agent[key]])));
  await batchClaimingName(db, after.name, [
    db
      .update(agents)
      .set({
        ...set,
        ...(input.name !== undefined ? { name: nameUnlessTaken(principal.userId, input.name, id) } : {}),
        updatedAt: after.updatedAt,
      })
      .where(and(eq(agents.id, id), eq(agents.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "agent.update",
      resourceType: "agent",
      resourceId: id,
      oldValues: pick(old),
      newValues: pick(updated),
    }),
  ]);
  return updated;
}

/**
 * Deletes the agent; D1 cascades its sessions' index rows and its usage rows. Its
 * budgets (and its sessions' budgets) and its sessions' search rows go in the same batch.
 */
export async function deleteAgent(db: Db, principal: Principal, id: string, meta: RequestMeta) {
  const row = await getOwnAgent(db, principal.userId, id);
  const sessionIds = db
    .select({ id: chatSessions.id })
    .from(chatSessions)
    .where(and(eq(chatSessions.agentId, id), eq(chatSessions.userId, principal.userId)));
  await db.batch([
    budgetDeletesForAgent(db, principal.userId, id),
    db
      .delete(messageSearch)
      .where(and(eq(messageSearch.userId, principal.userId), inArray(messageSearch.sessionId, sessionIds))),
    db.delete(agents).where(and(eq(agents.id, id), eq(agents.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "agent.delete",
      resourceType: "agent",
      resourceId: id,
      oldValues: { name: row.name, type: row.type, model: row.model },
    }),
  ]);
  return toAgent(row);
}
