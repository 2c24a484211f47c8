/** /api/v1/tasks: create (with children), list with filters, read, cancel and retry your tasks. */
import { getDb } from "../../../db/client";
import { PageQuerySchema } from "../../../lib/pagination";
import { requestMeta } from "../../../lib/request-meta";
import { idempotent } from "../../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../../openapi";
import { retryTask } from "../engine/task-retry";
import { taskEvents } from "./history";
import {
  CreatedTaskSchema,
  CreateTaskBody,
  TaskDetailSchema,
  TaskEventsQuery,
  TaskEventsSchema,
  TaskIdParam,
  TaskListQuery,
  TaskPageSchema,
  TaskSchema,
  toTask,
} from "./schemas";
import { cancelTask, createTask, listTasks, taskDetail } from "./service";

export const taskRoutes = createRouter();

taskRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/tasks",
    tags: ["Tasks"],
    summary: "Create a task (optionally with children); it joins your queue",
    description:
      "Honours `Idempotency-Key`. Status starts `queued` (or `pending` until `run_at`). A parent finishes when its own action and all its children have.",
    scopes: ["tasks:write"],
    middleware: [idempotent],
    request: jsonBody(CreateTaskBody),
    responses: { 201: jsonResponse("Created", CreatedTaskSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => c.json(await createTask(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201),
);

taskRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/tasks",
    tags: ["Tasks"],
    summary: "List your tasks, newest first, with filters",
    scopes: ["tasks:read"],
    request: { query: PageQuerySchema.extend(TaskListQuery.shape) },
    responses: { 200: jsonResponse("A page of tasks", TaskPageSchema) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await listTasks(getDb(c.env), c.var.principal.userId, {
      limit: query.limit,
      cursor: query.cursor,
      status: query.status,
      kind: query.kind,
      priority: query.priority,
      parentId: query.parent_id,
      q: query.q,
    });
    return c.json(page, 200);
  },
);

taskRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/tasks/{id}",
    tags: ["Tasks"],
    summary: "Read one of your tasks, with its children",
    scopes: ["tasks:read"],
    request: { params: TaskIdParam },
    responses: { 200: jsonResponse("The task", TaskDetailSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(await taskDetail(getDb(c.env), c.var.principal.userId, c.req.valid("param").id), 200),
);

taskRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/tasks/{id}/events",
    tags: ["Tasks"],
    summary: "A task's stored events and its children's, oldest first (progress is live-only)",
    scopes: ["tasks:read"],
    request: { params: TaskIdParam, query: TaskEventsQuery },
    responses: { 200: jsonResponse("The events", TaskEventsSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const items = await taskEvents(c.env, getDb(c.env), c.var.principal.userId, id, c.req.valid("query").limit);
    return c.json({ items }, 200);
  },
);

taskRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/tasks/{id}/cancel",
    tags: ["Tasks"],
    summary: "Cancel a task and its unfinished children; a running attempt is stopped",
    scopes: ["tasks:write"],
    request: { params: TaskIdParam },
    responses: { 200: jsonResponse("Cancelled", TaskSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await cancelTask(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

taskRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/tasks/{id}/retry",
    tags: ["Tasks"],
    summary: "Run a failed or cancelled task again (with its failed or cancelled children)",
    scopes: ["tasks:write"],
    request: { params: TaskIdParam },
    responses: { 200: jsonResponse("Queued again", TaskSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(toTask(await retryTask(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c))), 200),
);
