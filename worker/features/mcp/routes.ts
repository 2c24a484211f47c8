/**
 * POST /mcp: the MCP endpoint (Streamable HTTP, stateless, JSON responses). Each
 * request gets its own server and transport, authenticated like the API (Bearer
 * JWT or API key) and needing `tools:execute`. The body is validated as one
 * JSON-RPC message first, so malformed input gets the API's error envelope; GET
 * (the optional server-to-client stream) is answered 405, as stateless servers may.
 */
import { z } from "@hono/zod-openapi";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, codeForStatus } from "../../errors";
import { defaultBodyLimit } from "../../middleware/body";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { buildMcpServer } from "./server";

const JsonObject = z.record(z.string(), z.unknown());
const JsonRpcId = z.union([z.string().max(200), z.number().int()]);

export const JsonRpcMessage = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: JsonRpcId.optional().openapi({ description: "Absent on notifications" }),
    method: z.string().min(1).max(200).optional().openapi({ example: "tools/list" }),
    params: JsonObject.optional(),
    result: JsonObject.optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .openapi("JsonRpcMessage");

const JsonRpcResponse = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: JsonRpcId.nullable(),
    result: JsonObject.optional(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).optional(),
  })
  .openapi("JsonRpcResponse");

const RpcError = z.object({ error: z.object({ code: z.number(), message: z.string() }) });

/** The transport refuses some requests itself (406 without the right Accept…): those leave in the API's envelope too. */
async function asEnvelope(res: Response): Promise<Response> {
  if (res.status < 400) return res;
  const parsed = RpcError.safeParse(await res.json().catch(() => null));
  const message = parsed.success ? parsed.data.error.message : "The MCP transport refused the request";
  const code = res.status === 406 ? "not_acceptable" : codeForStatus(res.status);
  throw new AppError(
    res.status as ContentfulStatusCode,
    code,
    message,
    parsed.success ? { jsonrpc_code: parsed.data.error.code } : null,
  );
}

export const mcpRoutes = createRouter();

mcpRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/mcp",
    tags: ["MCP"],
    summary: "Model Context Protocol endpoint: your enabled tools for any MCP client",
    description:
      "Streamable HTTP transport, stateless: send `Accept: application/json, text/event-stream`; answers are JSON. " +
      "`tools/list` lists your enabled tools (dangerous ones annotated `destructiveHint`); `tools/call` runs one " +
      "through the tool runtime (recorded with source `mcp`).",
    scopes: ["tools:execute"],
    middleware: [defaultBodyLimit],
    request: jsonBody(JsonRpcMessage),
    responses: {
      200: jsonResponse("The JSON-RPC response", JsonRpcResponse),
      202: { description: "A notification or response was accepted" },
      ...errorResponses(406, 413, 415),
    },
  }),
  async (c) => {
    const server = buildMcpServer(c.env, c.var.principal);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return asEnvelope(await transport.handleRequest(c.req.raw, { parsedBody: c.req.valid("json") }));
    } finally {
      await server.close();
    }
  },
);
