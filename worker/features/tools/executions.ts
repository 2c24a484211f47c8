/** Reading recorded tool executions: the user's own, newest first, filtered, a page at a time. */
import { and, eq, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { type ToolExecutionStatus, toolExecutions } from "../../db/schema";
import { keyset, toPage } from "../../lib/pagination";
import type { ToolCaller } from "./contract";
import { toExecution } from "./schemas";

export type ExecutionFilter = {
  limit: number;
  cursor?: string | undefined;
  tool?: string | undefined;
  status?: ToolExecutionStatus | undefined;
  source?: ToolCaller["source"] | undefined;
  extension?: string | undefined;
};

/** Throws 400 invalid_cursor for a cursor this API did not issue: bad input is refused before any lookup. */
export function checkCursor(cursor: string | undefined): void {
  keyset(toolExecutions, cursor);
}

export async function listExecutions(env: Env, userId: string, filter: ExecutionFilter) {
  const page = keyset(toolExecutions, filter.cursor);
  const conditions: (SQL | undefined)[] = [
    eq(toolExecutions.userId, userId),
    page.where,
    filter.tool ? eq(toolExecutions.tool, filter.tool) : undefined,
    filter.status ? eq(toolExecutions.status, filter.status) : undefined,
    filter.source ? eq(toolExecutions.source, filter.source) : undefined,
    filter.extension ? eq(toolExecutions.extension, filter.extension) : undefined,
  ];
  const rows = await getDb(env)
    .select()
    .from(toolExecutions)
    .where(and(...conditions))
    .orderBy(...page.orderBy)
    .limit(filter.limit + 1);
  return toPage(rows, filter.limit, toExecution);
}
