/**
 * Edgewise as an MCP client: connects to a user's remote MCP server (Streamable
 * HTTP, official SDK) through the outbound guard, lists its tools at install and
 * refresh, and calls them for the tool runtime. Each operation opens a fresh
 * connection: servers may be stateless, and a Worker keeps nothing between requests.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { z } from "zod";
import { OutboundError, outboundFetch } from "../outbound/guarded-fetch";

export type RemoteServer = { url: string; bearerToken?: string | undefined; timeoutMs: number };

/** A remote tool as stored in `user_extensions.mcp_tools`. */
export const RemoteToolSchema = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(4_000).catch(""),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()).optional().catch(undefined),
  annotations: z
    .object({ readOnlyHint: z.boolean().optional(), destructiveHint: z.boolean().optional() })
    .optional()
    .catch(undefined),
});
export type RemoteTool = z.infer<typeof RemoteToolSchema>;

export type RemoteCatalog = { serverName: string; version: string; tools: RemoteTool[] };

export type RemoteResult = { content: unknown[]; structuredContent?: Record<string, unknown>; isError: boolean };

/** Why a remote call failed, as a stable code: the guard's own codes, or the MCP layer's. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RemoteError";
  }
}

const MAX_TOOLS = 200;
/** Discovery follows at most this many pages, within DISCOVERY_BUDGET single-request timeouts in all. */
export const MAX_TOOL_PAGES = 20;
const DISCOVERY_BUDGET = 3;

/** SDK clients validate structured output with ajv by default, which compiles code; workerd forbids that. */
const validator = new CfWorkerJsonSchemaValidator();

function findOutboundError(error: unknown): OutboundError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof OutboundError) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

function asRemoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  const outbound = findOutboundError(error);
  if (outbound) return new RemoteError(outbound.code, outbound.message);
  const message = error instanceof Error ? error.message : String(error);
  return new RemoteError("mcp_error", `The MCP server failed: ${message.slice(0, 500)}`);
}

async function withClient<T>(
  env: Env,
  server: RemoteServer,
  signal: AbortSignal | undefined,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const headers: Record<string, string> = server.bearerToken ? { authorization: `Bearer ${server.bearerToken}` } : {};
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    fetch: outboundFetch(env, { timeoutMs: server.timeoutMs }),
    requestInit: { headers },
  });
  const client = new Client({ name: "edgewise", version: "0.1.0" }, { jsonSchemaValidator: validator });
  try {
    await client.connect(transport, { signal, timeout: server.timeoutMs });
    return await use(client);
  } catch (error) {
    // An abort is the caller's own doing (timeout, cancel): it decides what that means.
    throw signal?.aborted ? error : asRemoteError(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * The server's name, version and tools (the first MAX_TOOLS, pages followed). A server
 * that keeps answering with another cursor is cut off after MAX_TOOL_PAGES pages or
 * DISCOVERY_BUDGET × its timeout in all, whichever comes first.
 */
export function discoverRemote(env: Env, server: RemoteServer): Promise<RemoteCatalog> {
  return withClient(env, server, undefined, async (client) => {
    const budgetMs = server.timeoutMs * DISCOVERY_BUDGET;
    const budget = AbortSignal.timeout(budgetMs);
    const tools: RemoteTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page === 0 || (cursor && tools.length < MAX_TOOLS); page++) {
      if (page === MAX_TOOL_PAGES)
        throw new RemoteError("mcp_too_many_pages", `the server's tool list ran past ${MAX_TOOL_PAGES} pages`);
      const listed = await client
        .listTools(cursor ? { cursor } : {}, { timeout: server.timeoutMs, signal: budget })
        .catch((error: unknown) => {
          if (!budget.aborted) throw error;
          throw new RemoteError("mcp_discovery_timeout", `listing the server's tools took over ${budgetMs} ms`);
        });
      for (const tool of listed.tools) {
        const parsed = RemoteToolSchema.safeParse(tool);
        if (parsed.success) tools.push(parsed.data);
      }
      cursor = listed.nextCursor;
    }
    const info = client.getServerVersion();
    return { serverName: info?.name ?? "mcp", version: info?.version ?? "0.0.0", tools: tools.slice(0, MAX_TOOLS) };
  });
}

export function callRemote(
  env: Env,
  server: RemoteServer,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<RemoteResult> {
  return withClient(env, server, signal, async (client) => {
    const result = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: server.timeoutMs });
    const content = Array.isArray(result.content) ? result.content : [];
    const structured = result.structuredContent as Record<string, unknown> | undefined;
    return { content, ...(structured ? { structuredContent: structured } : {}), isError: result.isError === true };
  });
}
