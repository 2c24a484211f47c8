/**
 * Workflow definitions: validated (zod, then the cross-step rules) and versioned.
 * Saving a definition makes a new immutable version; runs pin theirs, so editing
 * a workflow never changes a run in progress.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { workflows, workflowVersions } from "../../../db/schema";
import { AppError, describeZodIssues } from "../../../errors";
import { newId } from "../../../lib/ids";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { getConfig } from "../../config/service";
import { checkDefinition, type DefinitionIssue, WorkflowDefinition } from "../engine/definition";
import { requireStepScopes } from "../engine/step-scopes";
import { toWorkflow } from "./schemas";

export type Validation =
  | { valid: true; definition: WorkflowDefinition; issues: [] }
  | { valid: false; issues: DefinitionIssue[] };

/** Parses and checks a definition without saving it (the console's editor calls this as you type). */
export async function validateDefinition(env: Env, raw: unknown): Promise<Validation> {
  const parsed = WorkflowDefinition.safeParse(raw);
  if (!parsed.success) return { valid: false, issues: describeZodIssues(parsed.error) };
  const issues = checkDefinition(parsed.data, await getConfig(env, "workflow_limits"));
  return issues.length ? { valid: false, issues } : { valid: true, definition: parsed.data, issues: [] };
}

async function requireValid(env: Env, raw: unknown): Promise<WorkflowDefinition> {
  const result = await validateDefinition(env, raw);
  if (!result.valid)
    throw new AppError(
      422,
      "invalid_definition",
      `Invalid workflow: ${result.issues[0]?.path}: ${result.issues[0]?.message}`,
      result.issues,
    );
  return result.definition;
}

export async function getOwnWorkflow(db: Db, userId: string, id: string) {
  const row = await db.query.workflows.findFirst({ where: and(eq(workflows.id, id), eq(workflows.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "Workflow not found");
  return row;
}

export async function getVersion(db: Db, workflowId: string, version: number) {
  const row = await db.query.workflowVersions.findFirst({
    where: and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.version, version)),
  });
  if (!row) throw new AppError(404, "version_not_found", `Version ${version} not found`);
  return row;
}

export async function workflowWithDefinition(db: Db, userId: string, id: string, version?: number) {
  const workflow = await getOwnWorkflow(db, userId, id);
  const row = await getVersion(db, id, version ?? workflow.latestVersion);
  return toWorkflow(workflow, row);
}

type Input = { name: string; description?: string | undefined; definition: unknown };

export async function createWorkflow(env: Env, principal: Principal, input: Input, meta: RequestMeta) {
  const { userId } = principal;
  const definition = await requireValid(env, input.definition);
  await requireStepScopes(env, principal, definition);
  const db = getDb(env);
  const now = Date.now();
  const workflow = {
    id: newId(),
    userId,
    name: input.name,
    description: input.description ?? "",
    latestVersion: 1,
    archivedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const version = { workflowId: workflow.id, version: 1, userId, definition, createdAt: now };
  await db.batch([
    db.insert(workflows).values(workflow),
    db.insert(workflowVersions).values(version),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "workflow.create",
      resourceType: "workflow",
      resourceId: workflow.id,
      newValues: { name: workflow.name, version: 1 },
    }),
  ]);
  return toWorkflow(workflow, version);
}

/** Saves a new version (and/or renames); the definition, if given, must be valid. */
const conflict = () => new AppError(409, "version_conflict", "The workflow changed meanwhile; reload and save again");

export async function updateWorkflow(
  env: Env,
  principal: Principal,
  id: string,
  input: Partial<Input> & { base_version?: number | undefined },
  meta: RequestMeta,
) {
  const { userId } = principal;
  const db = getDb(env);
  const workflow = await getOwnWorkflow(db, userId, id);
  if (workflow.archivedAt) throw new AppError(409, "workflow_archived", "This workflow is archived");
  // An editor that loaded version N must not overwrite a version N+1 someone saved meanwhile.
  if (input.base_version !== undefined && input.base_version !== workflow.latestVersion) throw conflict();
  const now = Date.now();
  const nextVersion = input.definition === undefined ? workflow.latestVersion : workflow.latestVersion + 1;
  const definition = input.definition === undefined ? null : await requireValid(env, input.definition);
  if (definition) await requireStepScopes(env, principal, definition);
  const changes = {
    name: input.name ?? workflow.name,
    description: input.description ?? workflow.description,
    latestVersion: nextVersion,
    updatedAt: now,
  };
  const update = db
    .update(workflows)
    .set(changes)
    .where(and(eq(workflows.id, id), eq(workflows.latestVersion, workflow.latestVersion)));
  const record = auditInsert(db, meta, actorOf(principal), {
    ownerId: userId,
    action: "workflow.update",
    resourceType: "workflow",
    resourceId: id,
    oldValues: { name: workflow.name, version: workflow.latestVersion },
    newValues: { name: changes.name, version: nextVersion },
  });
  const [result] = definition
    ? await db.batch([
        update,
        db
          .insert(workflowVersions)
          .values({ workflowId: id, version: nextVersion, userId, definition, createdAt: now }),
        record,
      ])
    : await db.batch([update, record]);
  if (result.meta.changes !== 1) throw conflict();
  return workflowWithDefinition(db, userId, id);
}

export async function archiveWorkflow(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const workflow = await getOwnWorkflow(db, userId, id);
  if (workflow.archivedAt) throw new AppError(409, "workflow_archived", "This workflow is already archived");
  const now = Date.now();
  await db.batch([
    db.update(workflows).set({ archivedAt: now, updatedAt: now }).where(eq(workflows.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "workflow.archive",
      resourceType: "workflow",
      resourceId: id,
    }),
  ]);
  return workflowWithDefinition(db, userId, id);
}

export async function listWorkflows(
  db: Db,
  userId: string,
  query: { limit: number; cursor?: string | undefined; archived?: string | undefined },
) {
  const page = keyset(workflows, query.cursor);
  const rows = await db
    .select()
    .from(workflows)
    .where(
      and(
        eq(workflows.userId, userId),
        query.archived === "true" ? undefined : isNull(workflows.archivedAt),
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => toWorkflow(row, null));
}

export async function listVersions(db: Db, userId: string, id: string) {
  await getOwnWorkflow(db, userId, id);
  const rows = await db
    .select()
    .from(workflowVersions)
    .where(eq(workflowVersions.workflowId, id))
    .orderBy(desc(workflowVersions.version))
    .limit(100);
  return rows.map((row) => ({
    version: row.version,
    definition: row.definition,
    created_at: new Date(row.createdAt).toISOString(),
  }));
}
