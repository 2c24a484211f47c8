/**
 * /api/v1/workflows (definitions, versions, validation, starting runs) and
 * /api/v1/workflow-runs (state, logs, cancel, approvals).
 */

import { getDb } from "../../../db/client";
import { PageQuerySchema } from "../../../lib/pagination";
import { requestMeta } from "../../../lib/request-meta";
import { idempotent } from "../../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../../openapi";
import { apiKeyIdOf } from "../engine/grant";
import { startRun } from "../engine/run-lifecycle";
import { cancelRun, decideApproval, listRuns, runDetail, runLogs } from "./runs";
import {
  ApprovalBody,
  CreateWorkflowBody,
  IdParam,
  LogsQuery,
  LogsSchema,
  RunDetailSchema,
  RunListQuery,
  RunPageSchema,
  StartRunBody,
  UpdateWorkflowBody,
  ValidateBody,
  ValidationSchema,
  VersionQuery,
  VersionsSchema,
  WorkflowListQuery,
  WorkflowPageSchema,
  WorkflowSchema,
} from "./schemas";
import {
  archiveWorkflow,
  createWorkflow,
  listVersions,
  listWorkflows,
  updateWorkflow,
  validateDefinition,
  workflowWithDefinition,
} from "./service";

export const workflowRoutes = createRouter();
const tags = ["Workflows"];

workflowRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/workflow-definitions/validate",
    tags,
    summary: "Check a definition without saving it",
    scopes: ["tasks:read"],
    request: jsonBody(ValidateBody),
    responses: {
      200: jsonResponse("Whether it is valid, and every issue", ValidationSchema),
      ...errorResponses(413, 415),
    },
  }),
  async (c) => {
    const result = await validateDefinition(c.env, c.req.valid("json").definition);
    return c.json({ valid: result.valid, issues: result.issues }, 200);
  },
);

workflowRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/workflows",
    tags,
    summary: "Create a workflow (version 1)",
    description:
      "Honours `Idempotency-Key`. An invalid definition is 422 `invalid_definition` with every issue in `details`.",
    scopes: ["tasks:write"],
    middleware: [idempotent],
    request: jsonBody(CreateWorkflowBody),
    responses: { 201: jsonResponse("Created", WorkflowSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => c.json(await createWorkflow(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201),
);

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflows",
    tags,
    summary: "List your workflows, newest first",
    scopes: ["tasks:read"],
    request: { query: PageQuerySchema.extend(WorkflowListQuery.shape) },
    responses: { 200: jsonResponse("A page of workflows (without definitions)", WorkflowPageSchema) },
  }),
  async (c) => c.json(await listWorkflows(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflows/{id}",
    tags,
    summary: "Read a workflow with its latest (or a given) version's definition",
    scopes: ["tasks:read"],
    request: { params: IdParam, query: VersionQuery },
    responses: { 200: jsonResponse("The workflow", WorkflowSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(
      await workflowWithDefinition(
        getDb(c.env),
        c.var.principal.userId,
        c.req.valid("param").id,
        c.req.valid("query").version,
      ),
      200,
    ),
);

workflowRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/workflows/{id}",
    tags,
    summary: "Rename, or save a new version of the definition",
    scopes: ["tasks:write"],
    request: { params: IdParam, ...jsonBody(UpdateWorkflowBody) },
    responses: { 200: jsonResponse("Updated", WorkflowSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) =>
    c.json(
      await updateWorkflow(c.env, c.var.principal, c.req.valid("param").id, c.req.valid("json"), requestMeta(c)),
      200,
    ),
);

workflowRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/workflows/{id}",
    tags,
    summary: "Archive a workflow (its runs and versions are kept)",
    scopes: ["tasks:write"],
    request: { params: IdParam },
    responses: { 200: jsonResponse("Archived", WorkflowSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await archiveWorkflow(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflows/{id}/versions",
    tags,
    summary: "Every saved version, newest first",
    scopes: ["tasks:read"],
    request: { params: IdParam },
    responses: { 200: jsonResponse("Versions", VersionsSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json({ items: await listVersions(getDb(c.env), c.var.principal.userId, c.req.valid("param").id) } as never, 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/workflows/{id}/runs",
    tags,
    summary: "Start a run of the latest (or a given) version",
    description:
      "Honours `Idempotency-Key`. The run starts at once; follow it on GET /workflow-runs/{id} or the live feed.",
    scopes: ["tasks:write"],
    middleware: [idempotent],
    request: { params: IdParam, ...jsonBody(StartRunBody) },
    responses: { 201: jsonResponse("Started", RunDetailSchema), ...errorResponses(404, 409, 413, 415) },
  }),
  async (c) => {
    const { principal } = c.var;
    const body = c.req.valid("json");
    const run = await startRun(c.env, {
      userId: principal.userId,
      scopes: [...principal.scopes],
      apiKeyId: apiKeyIdOf(principal),
      workflowId: c.req.valid("param").id,
      version: body.version,
      input: body.input ?? {},
    });
    return c.json(await runDetail(getDb(c.env), principal.userId, run.id), 201);
  },
);

const runTags = ["Workflow runs"];

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflow-runs",
    tags: runTags,
    summary: "List your workflow runs, newest first",
    scopes: ["tasks:read"],
    request: { query: PageQuerySchema.extend(RunListQuery.shape) },
    responses: { 200: jsonResponse("A page of runs", RunPageSchema) },
  }),
  async (c) => c.json(await listRuns(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflow-runs/{id}",
    tags: runTags,
    summary: "Read a run: status, progress, context and every step's state",
    scopes: ["tasks:read"],
    request: { params: IdParam },
    responses: { 200: jsonResponse("The run", RunDetailSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(await runDetail(getDb(c.env), c.var.principal.userId, c.req.valid("param").id), 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/workflow-runs/{id}/logs",
    tags: runTags,
    summary: "A run's log lines, oldest first",
    scopes: ["tasks:read"],
    request: { params: IdParam, query: LogsQuery },
    responses: { 200: jsonResponse("Log lines", LogsSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const { after, limit } = c.req.valid("query");
    return c.json(await runLogs(getDb(c.env), c.var.principal.userId, c.req.valid("param").id, after, limit), 200);
  },
);

workflowRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/workflow-runs/{id}/cancel",
    tags: runTags,
    summary: "Cancel a run: steps in flight are aborted, the rest never start",
    scopes: ["tasks:write"],
    request: { params: IdParam },
    responses: { 200: jsonResponse("Cancelled", RunDetailSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await cancelRun(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

workflowRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/workflow-runs/{id}/approvals",
    tags: runTags,
    summary: "Approve or reject a step waiting for approval",
    scopes: ["tasks:write"],
    request: { params: IdParam, ...jsonBody(ApprovalBody) },
    responses: {
      200: jsonResponse("Decided; the run moves on", RunDetailSchema),
      ...errorResponses(404, 409, 413, 415, 422),
    },
  }),
  async (c) =>
    c.json(
      await decideApproval(c.env, c.var.principal, c.req.valid("param").id, c.req.valid("json"), requestMeta(c)),
      200,
    ),
);
