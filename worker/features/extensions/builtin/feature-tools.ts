/**
 * Features that bring agent tools (graph, files and memory) declare them as plain
 * functions with zod schemas and `run(input, {env, userId})`. This turns one into
 * a runtime Tool, so the executor validates, limits, times out and records it
 * like every built-in, and MCP clients see it on `/mcp`.
 */
import type { z } from "zod";
import type { Scope } from "../../auth/scopes";
import { defineTool, type Tool } from "../../tools/define-tool";

export type FeatureToolLike = {
  name: string;
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  scopes: readonly Scope[];
  dangerous: boolean;
  timeoutMs?: number;
  cacheTtlSeconds?: number;
  // biome-ignore lint/suspicious/noExplicitAny: each feature tool has its own input type.
  run(input: any, context: { env: Env; userId: string; signal?: AbortSignal }): Promise<unknown>;
};

const DEFAULT_TIMEOUT_MS = 15_000;

export function toRuntimeTool(tool: FeatureToolLike): Tool {
  return defineTool({
    name: tool.name,
    description: tool.description,
    input: tool.input,
    output: tool.output,
    scopes: tool.scopes,
    dangerous: tool.dangerous,
    timeoutMs: tool.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cacheTtlSeconds: tool.cacheTtlSeconds ?? 0,
    run: (input, { env, userId, signal }) => tool.run(input, { env, userId, signal }) as never,
  });
}
