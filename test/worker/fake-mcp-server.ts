/**
 * A local remote MCP server (official SDK: McpServer + StreamableHTTPServerTransport,
 * stateless, SSE answers) that the worker suite installs as an extension:
 * - POST /mcp — open: tools `echo` {text}, `add` {a, b} (structured output),
 *   `slow` {ms}, `fail` (reports an error), `wipe` (no annotations, so dangerous).
 * - POST /private/mcp — the same, only with `Authorization: Bearer test-mcp-token`.
 * - POST /endless/mcp?key=K&delay=MS — hand-written JSON-RPC whose tools/list never
 *   ends: each page is empty, answered after MS, with a next cursor; GET
 *   /endless/stats?key=K → `{pages}` served for K.
 * Every call is remembered; GET /calls lists them (name, arguments, authorization).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { FAKE_MCP_TOKEN } from "./fake-credentials";
import { listenLocal } from "./local-server";

type Call = { tool: string; arguments: unknown; authorization: string | null };

function buildServer(calls: Call[], authorization: string | null) {
  const server = new McpServer({ name: "fake-remote", version: "2.3.4" });
  const record = (tool: string, args: unknown) => calls.push({ tool, arguments: args, authorization });
  const readOnly = { readOnlyHint: true };
  server.registerTool(
    "echo",
    { description: "Echoes text", inputSchema: { text: z.string() }, annotations: readOnly },
    async (args) => {
      record("echo", args);
      return { content: [{ type: "text", text: `echo: ${args.text}` }] };
    },
  );
  server.registerTool(
    "add",
    {
      description: "Adds two numbers",
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
      annotations: readOnly,
    },
    async (args) => {
      record("add", args);
      return {
        content: [{ type: "text", text: String(args.a + args.b) }],
        structuredContent: { sum: args.a + args.b },
      };
    },
  );
  server.registerTool(
    "slow",
    { description: "Waits", inputSchema: { ms: z.number().int() }, annotations: readOnly },
    async (args, extra) => {
      record("slow", args);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, args.ms);
        extra.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return { content: [{ type: "text", text: `waited ${args.ms} ms` }] };
    },
  );
  server.registerTool("fail", { description: "Always fails", annotations: readOnly }, async () => {
    record("fail", {});
    return { isError: true, content: [{ type: "text", text: "it broke on purpose" }] };
  });
  server.registerTool("wipe", { description: "Pretends to delete everything" }, async () => {
    record("wipe", {});
    return { content: [{ type: "text", text: "wiped" }] };
  });
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
}

async function handleMcp(req: IncomingMessage, res: ServerResponse, calls: Call[]) {
  const server = buildServer(calls, req.headers.authorization ?? null);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, await readBody(req));
}

type JsonRpc = { id?: number | string; method?: string; params?: { protocolVersion?: string } };

/** A server that pages its tool list forever, for the client's discovery bounds. */
async function handleEndless(req: IncomingMessage, res: ServerResponse, url: URL, pages: Map<string, number>) {
  const message = (await readBody(req)) as JsonRpc;
  if (message.id === undefined) return res.writeHead(202).end();
  const key = url.searchParams.get("key") ?? "";
  let result: unknown = {};
  if (message.method === "initialize") {
    result = {
      protocolVersion: message.params?.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: "endless", version: "1.0.0" },
    };
  } else if (message.method === "tools/list") {
    const served = (pages.get(key) ?? 0) + 1;
    pages.set(key, served);
    result = { tools: [], nextCursor: `page-${served}` };
    await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("delay") ?? 0)));
  }
  if (res.destroyed) return;
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
}

export async function startFakeMcpServer() {
  const calls: Call[] = [];
  const endlessPages = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    if (path === "/calls") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(calls));
    if (path === "/endless/stats") {
      const pages = endlessPages.get(url.searchParams.get("key") ?? "") ?? 0;
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ pages }));
    }
    if (path === "/endless/mcp") {
      if (req.method !== "POST") return res.writeHead(405, { allow: "POST" }).end();
      return void handleEndless(req, res, url, endlessPages).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    }
    if (path !== "/mcp" && path !== "/private/mcp") return res.writeHead(404).end();
    if (path === "/private/mcp" && req.headers.authorization !== `Bearer ${FAKE_MCP_TOKEN}`)
      return res.writeHead(401, { "www-authenticate": "Bearer" }).end();
    // Stateless: no server-to-client stream and no sessions to end.
    if (req.method !== "POST") return res.writeHead(405, { allow: "POST" }).end();
    handleMcp(req, res, calls).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return listenLocal(server);
}
