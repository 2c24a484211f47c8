/** The tools a user can call now: those of their enabled extensions, built-in first, first name wins. */

import type { InstalledExtension } from "../extensions/installed";
import { listInstalled } from "../extensions/store";
import type { ToolDescriptor } from "./contract";
import type { Tool } from "./define-tool";

export type ResolvedTool = { tool: Tool; extension: InstalledExtension };

export async function enabledTools(env: Env, userId: string): Promise<Map<string, ResolvedTool>> {
  const tools = new Map<string, ResolvedTool>();
  for (const extension of await listInstalled(env, userId)) {
    if (!extension.enabled) continue;
    for (const tool of extension.tools) if (!tools.has(tool.name)) tools.set(tool.name, { tool, extension });
  }
  return tools;
}

export function describeTool({ tool, extension }: ResolvedTool): ToolDescriptor {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    dangerous: tool.dangerous,
    timeoutMs: tool.timeoutMs,
    cacheTtlSeconds: tool.cacheTtlSeconds,
    scopes: ["tools:execute", ...tool.scopes],
    extension: extension.name,
  };
}
