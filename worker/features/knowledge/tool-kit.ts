/**
 * How files, documents and memory offer tools to agents before the tool registry
 * (worker/features/tools/) takes them in: a plain function with zod input and output schemas,
 * shaped like `ToolDescriptor` (worker/features/tools/contract.ts). `describeTool`
 * gives the descriptor the runtime lists; `runTool` validates input and output.
 */
import { z } from "@hono/zod-openapi";
import type { Scope } from "../auth/scopes";
import type { ToolDescriptor } from "../tools/contract";

export type ToolContext = { env: Env; userId: string; signal?: AbortSignal };

export type FeatureTool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  input: I;
  output: O;
  scopes: readonly Scope[];
  extension: "files" | "memory";
  dangerous: boolean;
  timeoutMs: number;
  cacheTtlSeconds: number;
  run(input: z.output<I>, context: ToolContext): Promise<z.input<O>>;
};

export function defineTool<I extends z.ZodType, O extends z.ZodType>(
  tool: Omit<FeatureTool<I, O>, "dangerous" | "timeoutMs" | "cacheTtlSeconds"> &
    Partial<Pick<FeatureTool<I, O>, "dangerous" | "timeoutMs" | "cacheTtlSeconds">>,
): FeatureTool<I, O> {
  return { dangerous: false, timeoutMs: 15_000, cacheTtlSeconds: 0, ...tool };
}

export function describeTool(tool: FeatureTool): ToolDescriptor {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: "input" }) as Record<string, unknown>,
    outputSchema: z.toJSONSchema(tool.output) as Record<string, unknown>,
    dangerous: tool.dangerous,
    timeoutMs: tool.timeoutMs,
    cacheTtlSeconds: tool.cacheTtlSeconds,
    scopes: tool.scopes,
    extension: tool.extension,
  };
}

/** Parses the input (a ZodError for bad input), runs the tool, and checks what it returns. */
export async function runTool<I extends z.ZodType, O extends z.ZodType>(
  tool: FeatureTool<I, O>,
  input: unknown,
  context: ToolContext,
): Promise<z.output<O>> {
  const parsed = tool.input.parse(input);
  return tool.output.parse(await tool.run(parsed, context));
}
