/**
 * Edgewise's /mcp endpoint through the official MCP SDK client (Streamable HTTP,
 * its fetch pointed at the Worker): authentication by JWT or API key with
 * tools:execute, tools/list = the caller's enabled tools with annotations,
 * tools/call through the executor (recorded with source mcp), remote tools passed
 * through, and the API's error envelope for requests the endpoint refuses.
 */
import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BASE, call, createApiKey, createUser, type TestUser } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { allowLocalServers, as, install } from "../../../test/worker/support/tools";

const clients: Client[] = [];

/** An SDK client whose HTTP goes straight to the Worker's fetch handler. */
async function connect(headers: Record<string, string>): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    requestInit: { headers },
  });
  const client = new Client(
    { name: "edgewise-test", version: "1.0.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  await client.connect(transport);
  clients.push(client);
  return client;
}

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.accessToken}` });

beforeEach(() => allowLocalServers());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

describe("the MCP server", () => {
  it("initializes and lists the caller's enabled tools with their schemas and annotations", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const client = await connect(bearer(user));
    expect(client.getServerVersion()).toMatchObject({ name: "edgewise" });
    expect(client.getServerCapabilities()).toHaveProperty("tools");
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(Object.keys(byName).sort()).toEqual([
      "calculator",
      "current_time",
      "http_fetch",
      "http_request",
      "web_search",
    ]);
    expect(byName.calculator).toMatchObject({
      inputSchema: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
      outputSchema: { type: "object" },
      annotations: { readOnlyHint: true, destructiveHint: false },
    });
    expect(byName.http_request?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it("calls a tool through the executor and records it with source mcp", async () => {
    const user = await createUser();
    const client = await connect(bearer(user));
    const result = await client.callTool({ name: "calculator", arguments: { expression: "6 * 7" } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ result: "42", value: 42 });
    expect(result.content).toEqual([{ type: "text", text: expect.stringContaining('"42"') }]);
    const recorded = await rows<{ tool: string; source: string; status: string }>(
      "SELECT tool, source, status FROM tool_executions WHERE user_id = ?",
      user.id,
    );
    expect(recorded).toEqual([{ tool: "calculator", source: "mcp", status: "succeeded" }]);
  });

  it("reports refusals and failures as tool errors, not protocol errors", async () => {
    const user = await createUser();
    const client = await connect(bearer(user));
    const invalid = await client.callTool({ name: "calculator", arguments: { expression: 7 } });
    expect(invalid.isError).toBe(true);
    expect(JSON.stringify(invalid.content)).toContain("invalid_input");
    const unknown = await client.callTool({ name: "http_fetch", arguments: { url: "https://a.test" } });
    expect(unknown.isError).toBe(true);
    expect(JSON.stringify(unknown.content)).toContain("tool_not_found");
  });

  it("passes a remote MCP server's tools and results through", async () => {
    const user = await createUser();
    await install(as(user), { kind: "mcp", name: "fake", url: `${env.FAKE_MCP_URL}/mcp` });
    const client = await connect(bearer(user));
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === "fake__wipe")?.annotations).toMatchObject({ destructiveHint: true });
    const result = await client.callTool({ name: "fake__add", arguments: { a: 1, b: 2 } });
    expect(result.structuredContent).toEqual({ sum: 3 });
  });

  it("accepts an API key with tools:execute and refuses one without (403), or no credential (401)", async () => {
    const user = await createUser();
    const executor = await createApiKey(user, ["tools:execute"]);
    const viaKey = await connect({ "x-api-key": executor.secret });
    expect((await viaKey.listTools()).tools.length).toBeGreaterThan(0);

    const reader = await createApiKey(user, ["tools:read"]);
    await expect(connect({ "x-api-key": reader.secret })).rejects.toThrow(/403|insufficient_scope/);
    await expect(connect({})).rejects.toThrow(/401|missing_credentials/);
  });

  it("never shows one user's tools to another", async () => {
    const alice = await createUser();
    const bob = await createUser();
    await install(as(alice), { kind: "mcp", name: "alicetools", url: `${env.FAKE_MCP_URL}/mcp` });
    const client = await connect(bearer(bob));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain("alicetools__echo");
    const result = await client.callTool({ name: "alicetools__echo", arguments: { text: "x" } });
    expect(result.isError).toBe(true);
  });
});

describe("requests the endpoint refuses", () => {
  it("answers in the API's error envelope: bad JSON-RPC 400, wrong Accept 406, GET 405", async () => {
    const user = await createUser();
    const headers = { accept: "application/json, text/event-stream" };
    await expectError(
      await call("/mcp", { token: user.accessToken, body: { jsonrpc: "1.0", method: "x" }, headers }),
      400,
      "validation_failed",
    );
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
    };
    const wrongAccept = await call("/mcp", {
      token: user.accessToken,
      body: initialize,
      headers: { accept: "text/html" },
    });
    await expectError(wrongAccept, 406, "not_acceptable");
    await expectError(await call("/mcp", { token: user.accessToken }), 405, "method_not_allowed");

    const ok = await call("/mcp", { token: user.accessToken, body: initialize, headers });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "edgewise" } } });
  });
});

describe("feature extensions on /mcp", () => {
  it("serves the graph's tools once the graph extension is installed, and runs them as the caller", async () => {
    const user = await createUser();
    const before = await connect(bearer(user));
    expect((await before.listTools()).tools.map((tool) => tool.name)).not.toContain("graph_create_entity");
    await install(as(user), { name: "graph" });
    await install(as(user), { name: "knowledge" });

    const client = await connect(bearer(user));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(["graph_search_entities", "graph_find_path", "memory_search", "read_file"]),
    );
    const created = await client.callTool({
      name: "graph_create_entity",
      arguments: { type: "room", content: { name: "Kitchen by MCP" } },
    });
    expect(created.isError).toBeFalsy();
    const found = await client.callTool({ name: "graph_search_entities", arguments: { query: "Kitchen" } });
    expect(JSON.stringify(found.structuredContent ?? found.content)).toContain("Kitchen by MCP");
    const recorded = await rows<{ tool: string; source: string; status: string }>(
      "SELECT tool, source, status FROM tool_executions WHERE user_id = ? ORDER BY created_at",
      user.id,
    );
    expect(recorded).toEqual([
      { tool: "graph_create_entity", source: "mcp", status: "succeeded" },
      { tool: "graph_search_entities", source: "mcp", status: "succeeded" },
    ]);

    const stranger = await createUser();
    await install(as(stranger), { name: "graph" });
    const theirs = await connect(bearer(stranger));
    const empty = await theirs.callTool({ name: "graph_search_entities", arguments: { query: "Kitchen" } });
    expect(JSON.stringify(empty.structuredContent ?? empty.content)).not.toContain("Kitchen by MCP");
  });
});
