/**
 * Edgewise as an MCP server: one McpServer per request, bound to the caller,
 * whose tools/list is the caller's enabled tools (built-in extensions and their
 * own remote MCP servers) and whose tools/call runs the tool runtime with source
 * `mcp`. Tools are served through the underlying protocol `server`, because their
 * schemas are JSON Schema already (remote tools have no zod), which McpServer's
 * own `registerTool` cannot take. A feature adds tools here by adding a built-in
 * extension (extensions/catalog.ts).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
} from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { Principal } from "../auth/principal";
import type { ToolOutcome } from "../tools/contract";
import { describeTool, enabledTools, type ResolvedTool } from "../tools/resolve";
import { executeWith } from "../tools/runtime";

export const SERVER_INFO = { name: "edgewise", version: "0.1.0" };

const INSTRUCTIONS =
  "Edgewise tools of the signed-in user. Tools marked destructive can change things outside Edgewise: " +
  "ask the user before calling them. Every call is recorded in the user's tool executions.";

function toMcpTool(resolved: ResolvedTool): McpTool {
  const tool = describeTool(resolved);
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: { ...tool.inputSchema, type: "object" },
    ...(tool.outputSchema?.type === "object" ? { outputSchema: { ...tool.outputSchema, type: "object" } } : {}),
    annotations: {
      readOnlyHint: !tool.dangerous,
      destructiveHint: tool.dangerous,
      openWorldHint: tool.extension !== "core",
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Remote tools' outputs already are call results (content, structuredContent); built-ins' are plain objects. */
export function toCallToolResult(outcome: ToolOutcome, remote: boolean): CallToolResult {
  if (outcome.status === "succeeded" || outcome.status === "cached") {
    const output = outcome.output;
    if (remote && isObject(output) && Array.isArray(output.content)) return output as CallToolResult;
    const text = JSON.stringify(output ?? null);
    return { content: [{ type: "text", text }], ...(isObject(output) ? { structuredContent: output } : {}) };
  }
  const error = outcome.error ?? { code: outcome.status, message: outcome.status };
  return { isError: true, content: [{ type: "text", text: `${outcome.status} (${error.code}): ${error.message}` }] };
}

export function buildMcpServer(env: Env, principal: Principal): McpServer {
  const mcp = new McpServer(SERVER_INFO, {
    instructions: INSTRUCTIONS,
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
  });
  let tools: Promise<Map<string, ResolvedTool>> | undefined;
  const load = () => {
    tools ??= enabledTools(env, principal.userId);
    return tools;
  };
  mcp.server.registerCapabilities({ tools: {} });
  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...(await load()).values()].map(toMcpTool),
  }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const loaded = await load();
    const caller = { userId: principal.userId, scopes: principal.scopes, source: "mcp" as const };
    const name = request.params.name;
    const outcome = await executeWith(env, loaded, caller, name, request.params.arguments ?? {}, extra.signal);
    return toCallToolResult(outcome, loaded.get(name)?.extension.kind === "mcp");
  });
  return mcp;
}
