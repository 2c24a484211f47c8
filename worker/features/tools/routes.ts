/**
 * /api/v1/tools: the caller's enabled tools and running one; /api/v1/tool-executions:
 * the record of every run (chat, API, MCP). Refusals the executor records (bad
 * input, scopes, limits) answer 422/403/429; anything that ran answers 200 with
 * its outcome, also when the tool itself failed or timed out.
 */
import { AppError } from "../../errors";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import type { ToolOutcome } from "./contract";
import { toOutcome, toTool } from "./dto";
import { listExecutions } from "./executions";
import { describeTool, enabledTools } from "./resolve";
import { executeWith, TOOL_NOT_FOUND } from "./runtime";
import {
  ExecuteToolBody,
  ExecutionListQuery,
  ToolExecutionPageSchema,
  ToolListSchema,
  ToolNameParam,
  ToolOutcomeSchema,
} from "./schemas";

export const toolRoutes = createRouter();

toolRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/tools",
    tags: ["Tools"],
    summary: "The tools you can call now (from your enabled extensions)",
    scopes: ["tools:read"],
    responses: { 200: jsonResponse("Your tools", ToolListSchema) },
  }),
  async (c) => {
    const tools = await enabledTools(c.env, c.var.principal.userId);
    return c.json({ items: [...tools.values()].map((tool) => toTool(describeTool(tool))) }, 200);
  },
);

/** The refusals the executor records become errors; everything else is the 200 outcome. */
function refusal(outcome: ToolOutcome): AppError | undefined {
  const details = {
    execution_id: outcome.executionId,
    ...(outcome.error?.details ? { issues: outcome.error.details } : {}),
  };
  const message = outcome.error?.message ?? outcome.status;
  if (outcome.status === "invalid_input") return new AppError(422, "invalid_input", message, details);
  if (outcome.status === "forbidden") return new AppError(403, "insufficient_scope", message, details);
  if (outcome.status === "rate_limited") {
    const retry = String(outcome.retryAfterSeconds ?? 1);
    return new AppError(429, outcome.error?.code ?? "rate_limited", message, details, { "Retry-After": retry });
  }
  return undefined;
}

toolRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/tools/{name}/execute",
    tags: ["Tools"],
    summary: "Run one of your tools",
    description:
      "Dangerous tools need `confirm: true` (else 409 approval_required). Every call that reaches the tool is " +
      "recorded in /tool-executions. Honours `Idempotency-Key`.",
    scopes: ["tools:execute"],
    middleware: [idempotent],
    request: { params: ToolNameParam, ...jsonBody(ExecuteToolBody) },
    responses: {
      200: jsonResponse("What happened: succeeded, cached, failed or timed_out", ToolOutcomeSchema),
      ...errorResponses(404, 409, 413, 415, 422),
    },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.var.principal;
    const tools = await enabledTools(c.env, principal.userId);
    const resolved = tools.get(name);
    if (!resolved) throw new AppError(404, "tool_not_found", TOOL_NOT_FOUND);
    if (resolved.tool.dangerous && body.confirm !== true)
      throw new AppError(
        409,
        "approval_required",
        `${name} can change things elsewhere; send confirm: true to run it`,
        {
          tool: name,
        },
      );
    const caller = {
      userId: principal.userId,
      scopes: principal.scopes,
      source: "api" as const,
      timeoutMs: body.timeout_ms,
    };
    const outcome = await executeWith(c.env, tools, caller, name, body.input, c.req.raw.signal);
    const refused = refusal(outcome);
    if (refused) throw refused;
    return c.json(toOutcome(outcome), 200);
  },
);

toolRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/tool-executions",
    tags: ["Tools"],
    summary: "Your recorded tool executions, newest first",
    scopes: ["tools:read"],
    request: { query: ExecutionListQuery },
    responses: { 200: jsonResponse("A page of executions", ToolExecutionPageSchema) },
  }),
  async (c) => c.json(await listExecutions(c.env, c.var.principal.userId, c.req.valid("query")), 200),
);
