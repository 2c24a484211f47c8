/** Request and response shapes of /api/v1/tools and /api/v1/tool-executions. */
import { z } from "@hono/zod-openapi";
import { TOOL_EXECUTION_STATUSES, TOOL_SOURCES, type toolExecutions } from "../../db/schema";
import { PageQuerySchema, pageSchema } from "../../lib/pagination";
import { toIso } from "../../lib/time";
import { TOOL_NAME } from "./names";
import { parseStoredError } from "./stored-error";

const JsonObject = z.record(z.string(), z.unknown());

export const ToolSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    extension: z.string(),
    dangerous: z.boolean().openapi({ description: "Needs confirm:true here, a person's approval in chat" }),
    timeout_ms: z.number().int(),
    cache_ttl_seconds: z.number().int(),
    scopes: z.array(z.string()),
    input_schema: JsonObject,
    output_schema: JsonObject.nullable(),
  })
  .openapi("Tool");

export const ToolListSchema = z.object({ items: z.array(ToolSchema) }).openapi("ToolList");

export const ToolNameParam = z.object({
  name: z
    .string()
    .regex(TOOL_NAME, "Not a tool name")
    .openapi({ param: { name: "name", in: "path" }, example: "calculator" }),
});

export const ExecuteToolBody = z
  .object({
    input: JsonObject.openapi({ description: "The tool's input, matching its input_schema" }),
    confirm: z.boolean().optional().openapi({ description: "Required (true) for dangerous tools" }),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(120_000)
      .optional()
      .openapi({ description: "A tighter time limit than the tool's own" }),
  })
  .strict()
  .openapi("ExecuteToolRequest");

const ToolErrorSchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

export const ToolOutcomeSchema = z
  .object({
    execution_id: z.string(),
    status: z.enum(TOOL_EXECUTION_STATUSES),
    output: z.unknown().optional(),
    error: ToolErrorSchema.optional(),
    execution_time_ms: z.number().int(),
    cost_micros: z.number().int(),
  })
  .openapi("ToolOutcome");

export const ToolExecutionSchema = z
  .object({
    id: z.string(),
    tool: z.string(),
    extension: z.string().nullable(),
    source: z.enum(TOOL_SOURCES),
    session_id: z.string().nullable(),
    agent_id: z.string().nullable(),
    call_id: z.string().nullable(),
    status: z.enum(TOOL_EXECUTION_STATUSES),
    input: z.unknown().openapi({ description: "Secrets masked; long values cut to a preview" }),
    output: z.unknown(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    execution_time_ms: z.number().int(),
    cost_micros: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ToolExecution");

export const ToolExecutionPageSchema = pageSchema(ToolExecutionSchema, "ToolExecutionPage");

export function toExecution(row: typeof toolExecutions.$inferSelect): z.infer<typeof ToolExecutionSchema> {
  return {
    id: row.id,
    tool: row.tool,
    extension: row.extension,
    source: row.source,
    session_id: row.sessionId,
    agent_id: row.agentId,
    call_id: row.callId,
    status: row.status,
    input: row.input ?? null,
    output: row.output ?? null,
    error: parseStoredError(row.error),
    execution_time_ms: row.executionTimeMs,
    cost_micros: row.costMicros,
    created_at: toIso(row.createdAt),
  };
}

const ExecutionFilters = z.object({
  tool: z.string().min(1).max(200).optional().openapi({ description: "Only this tool" }),
  status: z.enum(TOOL_EXECUTION_STATUSES).optional(),
  source: z.enum(TOOL_SOURCES).optional(),
});

export const ExecutionListQuery = PageQuerySchema.extend(ExecutionFilters.shape).extend({
  extension: z.string().min(1).max(64).optional().openapi({ description: "Only tools of this extension" }),
});

export const ExtensionExecutionQuery = PageQuerySchema.extend(ExecutionFilters.shape);
