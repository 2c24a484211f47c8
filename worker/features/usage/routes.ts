/** /api/v1/usage (your daily usage, per agent) and /api/v1/budgets (your enforced limits). */
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { flushApiCalls } from "./api-calls";
import { createBudget, deleteBudget, listBudgets, updateBudget } from "./budgets";
import { agentUsage, dailyUsage, resolveRange } from "./reports";
import {
  AgentUsageReportSchema,
  BudgetIdParam,
  BudgetListQuery,
  BudgetPageSchema,
  BudgetSchema,
  CreateBudgetBody,
  UpdateBudgetBody,
  UsageRangeQuery,
  UsageReportSchema,
} from "./schemas";

export const usageRoutes = createRouter();

const RANGE_NOTE = "Days are UTC; the range defaults to the last 30 days and spans at most 366.";

usageRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/usage",
    tags: ["Usage"],
    summary: "Your usage per day: API calls, agent interactions, tokens, tool calls, cost",
    description: RANGE_NOTE,
    scopes: ["usage:read"],
    request: { query: UsageRangeQuery },
    responses: { 200: jsonResponse("Daily usage and totals", UsageReportSchema), ...errorResponses(422) },
  }),
  async (c) => {
    const range = resolveRange(c.req.valid("query"));
    // Write the calls this isolate counted but has not flushed yet, so the report includes them.
    await flushApiCalls(c.env);
    return c.json(await dailyUsage(c.env, c.var.principal.userId, range), 200);
  },
);

usageRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/usage/agents",
    tags: ["Usage"],
    summary: "Your usage per agent: messages, sessions, tokens, cost, average response time",
    description: RANGE_NOTE,
    scopes: ["usage:read"],
    request: { query: UsageRangeQuery },
    responses: { 200: jsonResponse("Per-agent usage", AgentUsageReportSchema), ...errorResponses(422) },
  }),
  async (c) => c.json(await agentUsage(c.env, c.var.principal.userId, resolveRange(c.req.valid("query"))), 200),
);

usageRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/budgets",
    tags: ["Usage"],
    summary: "List your budgets with what each has used this period",
    scopes: ["usage:read"],
    request: { query: PageQuerySchema.extend(BudgetListQuery.shape) },
    responses: { 200: jsonResponse("A page of budgets", BudgetPageSchema) },
  }),
  async (c) => c.json(await listBudgets(c.env, c.var.principal.userId, c.req.valid("query")), 200),
);

usageRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/budgets",
    tags: ["Usage"],
    summary: "Set a budget on your usage, an agent's or a session's",
    description:
      "Honours `Idempotency-Key`. A chat turn whose next step could cross a budget stops with a `budget_exceeded` error. One budget per scope, subject and period.",
    scopes: ["agents:write"],
    middleware: [idempotent],
    request: jsonBody(CreateBudgetBody),
    responses: { 201: jsonResponse("Created", BudgetSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => c.json(await createBudget(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201),
);

usageRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/budgets/{id}",
    tags: ["Usage"],
    summary: "Change a budget's limits",
    description: "`null` removes a limit; at least one must remain.",
    scopes: ["agents:write"],
    request: { params: BudgetIdParam, ...jsonBody(UpdateBudgetBody) },
    responses: { 200: jsonResponse("Updated", BudgetSchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await updateBudget(c.env, c.var.principal, id, c.req.valid("json"), requestMeta(c)), 200);
  },
);

usageRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/budgets/{id}",
    tags: ["Usage"],
    summary: "Delete a budget",
    scopes: ["agents:write"],
    request: { params: BudgetIdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
  }),
  async (c) => {
    await deleteBudget(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  },
);
