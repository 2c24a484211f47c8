/**
 * One tool_executions row per call, whatever happened: the executor's last step.
 * Input and output pass through `maskSecrets` and are cut to a preview when large,
 * so no credential and no megabyte page lands in the table. Also counts metrics.
 */
import { getDb } from "../../db/client";
import { type ToolExecutionStatus, toolExecutions } from "../../db/schema";
import { newId } from "../../lib/ids";
import { maskSecrets } from "../../lib/mask";
import { increment, observe } from "../observability/collector";
import type { ToolCaller, ToolOutcome } from "./contract";

const MAX_STORED_CHARS = 16_000;

export type ExecutionRecord = {
  caller: ToolCaller;
  tool: string;
  extension: string | null;
  /** Whether the tool comes from a remote MCP server (its name is kept out of metric labels). */
  remote: boolean;
  input: unknown;
  status: ToolExecutionStatus;
  output?: unknown;
  error?: { code: string; message: string; details?: unknown };
  startedAt: number;
  costMicros?: number;
  retryAfterSeconds?: number;
};

/** What goes in a JSON column: masked, and a preview when it is too long to keep. */
export function storable(value: unknown): unknown {
  if (value === undefined) return null;
  const masked = maskSecrets(value);
  const text = JSON.stringify(masked) ?? "null";
  return text.length <= MAX_STORED_CHARS ? masked : { truncated: true, preview: text.slice(0, MAX_STORED_CHARS) };
}

export async function recordExecution(env: Env, record: ExecutionRecord): Promise<ToolOutcome> {
  const executionTimeMs = Date.now() - record.startedAt;
  const costMicros = record.costMicros ?? 0;
  const id = newId();
  const { caller } = record;
  await getDb(env)
    .insert(toolExecutions)
    .values({
      id,
      userId: caller.userId,
      tool: record.tool.slice(0, 200),
      extension: record.extension,
      source: caller.source,
      sessionId: caller.sessionId ?? null,
      agentId: caller.agentId ?? null,
      callId: caller.callId ?? null,
      input: storable(record.input),
      output: storable(record.output),
      status: record.status,
      error: record.error
        ? JSON.stringify({ code: record.error.code, message: record.error.message.slice(0, 2_000) })
        : null,
      executionTimeMs,
      costMicros,
      createdAt: Date.now(),
    });
  const label = record.remote ? "mcp" : record.extension ? record.tool : "unknown";
  increment("tool_executions_total", { tool: label, source: caller.source, status: record.status });
  observe("tool_execution_duration_seconds", { tool: label }, executionTimeMs / 1000);
  return {
    executionId: id,
    status: record.status,
    ...(record.output !== undefined ? { output: record.output } : {}),
    ...(record.error ? { error: record.error } : {}),
    executionTimeMs,
    costMicros,
    ...(record.retryAfterSeconds !== undefined ? { retryAfterSeconds: record.retryAfterSeconds } : {}),
  };
}
