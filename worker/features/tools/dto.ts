/** The tool runtime's values as the API answers them (ToolSchema, ToolOutcomeSchema in schemas.ts). */
import type { z } from "@hono/zod-openapi";
import type { ToolDescriptor, ToolOutcome } from "./contract";
import type { ToolOutcomeSchema, ToolSchema } from "./schemas";

export function toTool(tool: ToolDescriptor): z.infer<typeof ToolSchema> {
  return {
    name: tool.name,
    description: tool.description,
    extension: tool.extension,
    dangerous: tool.dangerous,
    timeout_ms: tool.timeoutMs,
    cache_ttl_seconds: tool.cacheTtlSeconds,
    scopes: [...tool.scopes],
    input_schema: tool.inputSchema,
    output_schema: tool.outputSchema ?? null,
  };
}

export function toOutcome(outcome: ToolOutcome): z.infer<typeof ToolOutcomeSchema> {
  return {
    execution_id: outcome.executionId,
    status: outcome.status,
    ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    execution_time_ms: outcome.executionTimeMs,
    cost_micros: outcome.costMicros,
  };
}
