/** Request and response shapes of /api/v1/workflows and /api/v1/workflow-runs. */
import { z } from "@hono/zod-openapi";
import {
  RUN_STATUSES,
  STEP_STATUSES,
  type workflowRuns,
  type workflowStepRuns,
  type workflows,
  type workflowVersions,
} from "../../../db/schema";
import { pageSchema } from "../../../lib/pagination";
import { toIso, toIsoOrNull } from "../../../lib/time";

const STEP_KINDS = ["tool", "agent", "http", "sleep", "delay", "approval", "branch", "parallel"] as const;

/**
 * The definition as documented in OpenAPI. Steps nest (branch `do`/`else`,
 * parallel `branches`), which the document describes loosely; the full schema is
 * enforced by the service (422 `invalid_definition` with one issue per problem).
 */
const StepDoc = z
  .object({ id: z.string().min(1).max(64), kind: z.enum(STEP_KINDS) })
  .catchall(z.unknown())
  .openapi("WorkflowStep", {
    description:
      "tool {tool, input} · agent {agent_id, prompt} · http {method, url, headers, body, expect_status} · sleep {ms} · " +
      "delay {ms} · approval {message, timeout_ms} · branch {if, do[], else[]} · parallel {branches: [[step…]…]}. " +
      "Leaf steps take timeout_ms, retry {max_attempts, backoff_ms, max_backoff_ms, factor}, continue_on_error, integration. " +
      "Strings may hold {{ input.x }} / {{ steps.<id>.output.… }} templates.",
  });

export const DefinitionDoc = z
  .object({ steps: z.array(StepDoc).min(1).max(1_000), defaults: z.record(z.string(), z.unknown()).optional() })
  .openapi("WorkflowDefinition");

export const WorkflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    latest_version: z.number().int(),
    version: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The version whose definition is shown (null in lists)" }),
    definition: DefinitionDoc.nullable(),
    archived_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Workflow");

export function toWorkflow(row: typeof workflows.$inferSelect, version: typeof workflowVersions.$inferSelect | null) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latest_version: row.latestVersion,
    version: version?.version ?? null,
    definition: (version?.definition ?? null) as z.infer<typeof DefinitionDoc> | null,
    archived_at: toIsoOrNull(row.archivedAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const WorkflowPageSchema = pageSchema(WorkflowSchema, "WorkflowPage");

export const CreateWorkflowBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000).optional(),
    definition: DefinitionDoc,
  })
  .strict()
  .openapi("CreateWorkflowRequest");

export const UpdateWorkflowBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2_000).optional(),
    definition: DefinitionDoc.optional().openapi({ description: "Saves a new version" }),
    base_version: z.number().int().min(1).optional().openapi({
      description:
        "The version your edit started from: 409 `version_conflict` if another save came first (no silent overwrite)",
    }),
  })
  .strict()
  .openapi("UpdateWorkflowRequest");

export const ValidateBody = z.object({ definition: z.unknown() }).strict().openapi("ValidateWorkflowRequest");
export const ValidationSchema = z
  .object({
    valid: z.boolean(),
    issues: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })),
  })
  .openapi("WorkflowValidation");

export const VersionsSchema = z
  .object({
    items: z.array(z.object({ version: z.number().int(), definition: DefinitionDoc, created_at: z.string() })),
  })
  .openapi("WorkflowVersions");

export const WorkflowListQuery = z.object({
  archived: z.enum(["true", "false"]).optional().openapi({ description: "Include archived" }),
});
export const IdParam = z.object({ id: z.string().min(1).max(64) });
export const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

export const StartRunBody = z
  .object({ input: z.record(z.string(), z.unknown()).optional(), version: z.number().int().min(1).optional() })
  .strict()
  .openapi("StartRunRequest");

export const RunSchema = z
  .object({
    id: z.string(),
    workflow_id: z.string(),
    version: z.number().int(),
    status: z.enum(RUN_STATUSES),
    input: z.unknown(),
    output: z.unknown(),
    error: z.string().nullable(),
    task_id: z.string().nullable(),
    schedule_run_id: z.string().nullable(),
    progress: z.object({ percent: z.number().int(), message: z.string().nullable() }),
    cost_micros: z.number().int(),
    started_at: z.string().openapi({ format: "date-time" }),
    finished_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("WorkflowRun");

export function toRun(row: typeof workflowRuns.$inferSelect): z.infer<typeof RunSchema> {
  return {
    id: row.id,
    workflow_id: row.workflowId,
    version: row.version,
    status: row.status,
    input: row.input ?? null,
    output: row.output ?? null,
    error: row.error,
    task_id: row.taskId,
    schedule_run_id: row.scheduleRunId,
    progress: { percent: row.progressPercent, message: row.progressMessage },
    cost_micros: row.costMicros,
    started_at: toIso(row.startedAt),
    finished_at: toIsoOrNull(row.finishedAt),
    created_at: toIso(row.createdAt),
  };
}

export const StepRunSchema = z
  .object({
    step_id: z.string(),
    kind: z.string(),
    status: z.enum(STEP_STATUSES),
    attempt: z.number().int(),
    input: z.unknown(),
    output: z.unknown(),
    error: z.string().nullable(),
    idempotency_key: z.string(),
    next_attempt_at: z.string().nullable(),
    wake_at: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    duration_ms: z.number().int().nullable(),
  })
  .openapi("WorkflowStepRun");

export function toStepRun(row: typeof workflowStepRuns.$inferSelect): z.infer<typeof StepRunSchema> {
  return {
    step_id: row.stepId,
    kind: row.kind,
    status: row.status,
    attempt: row.attempt,
    input: row.input ?? null,
    output: row.output ?? null,
    error: row.error,
    idempotency_key: row.idempotencyKey,
    next_attempt_at: toIsoOrNull(row.nextAttemptAt),
    wake_at: toIsoOrNull(row.wakeAt),
    started_at: toIsoOrNull(row.startedAt),
    finished_at: toIsoOrNull(row.finishedAt),
    duration_ms: row.startedAt && row.finishedAt ? row.finishedAt - row.startedAt : null,
  };
}

export const RunDetailSchema = RunSchema.extend({ steps: z.array(StepRunSchema) }).openapi("WorkflowRunDetail");
export const RunPageSchema = pageSchema(RunSchema, "WorkflowRunPage");
export const RunListQuery = z.object({
  workflow_id: z.string().min(1).max(64).optional(),
  status: z.enum(RUN_STATUSES).optional(),
});

export const LogsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: "Only log lines after this id" }),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const LogsSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        step_id: z.string().nullable(),
        level: z.string(),
        message: z.string(),
        created_at: z.string(),
      }),
    ),
  })
  .openapi("WorkflowRunLogs");

export const ApprovalBody = z
  .object({
    step_id: z.string().min(1).max(64),
    decision: z.enum(["approve", "reject"]),
    comment: z.string().max(2_000).optional(),
  })
  .strict()
  .openapi("WorkflowApprovalDecision");
