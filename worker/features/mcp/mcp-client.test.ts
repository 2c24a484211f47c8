/**
 * Edgewise as an MCP client, against a local Node MCP server built with the official
 * SDK (test/worker/fake-mcp-server.ts): installing lists its tools, which run through
 * the same executor (`<extension>__<tool>`, recorded per extension); bearer tokens
 * are sealed and sent; unreachable, refused and private servers are 422s.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { FAKE_MCP_TOKEN } from "../../../test/worker/fake-credentials";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { rows, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { allowLocalServers, as, type Extension, install, outcomeOf, runTool } from "../../../test/worker/support/tools";
import { MAX_TOOL_PAGES } from "./client";

type Call = { tool: string; arguments: unknown; authorization: string | null };

const remoteCalls = async () => (await (await fetch(`${env.FAKE_MCP_URL}/calls`)).json()) as Call[];

async function installFake(user: TestUser, name = "fake", extra: Record<string, unknown> = {}) {
  return install(as(user), { kind: "mcp", name, url: `${env.FAKE_MCP_URL}/mcp`, ...extra });
}

beforeEach(() => allowLocalServers());

describe("installing an MCP server", () => {
  it("lists its tools as <name>__<tool>, read-only ones safe and the rest dangerous", async () => {
    const user = await createUser();
    const fake = await installFake(user);
    expect(fake).toMatchObject({ kind: "mcp", name: "fake", version: "2.3.4", mcp_url: `${env.FAKE_MCP_URL}/mcp` });
    const tools = Object.fromEntries(fake.tools.map((tool) => [tool.name, tool.dangerous]));
    expect(tools).toEqual({
      fake__echo: false,
      fake__add: false,
      fake__slow: false,
      fake__fail: false,
      fake__wipe: true,
    });

    const listed = await json<{ items: { name: string; extension: string; input_schema: { properties: object } }[] }>(
      await call("/api/v1/tools", as(user)),
    );
    const echo = listed.items.find((tool) => tool.name === "fake__echo");
    expect(echo).toMatchObject({ extension: "fake", input_schema: { properties: { text: { type: "string" } } } });
    const [row] = await rows<{ mcp_tools: string }>("SELECT mcp_tools FROM user_extensions WHERE id = ?", fake.id);
    expect(JSON.parse(row!.mcp_tools).map((tool: { name: string }) => tool.name)).toEqual([
      "echo",
      "add",
      "slow",
      "fail",
      "wipe",
    ]);
  });

  it("refuses built-in names (409), unreachable servers and private addresses (422)", async () => {
    const user = await createUser();
    const taken = await call("/api/v1/extensions", {
      ...as(user),
      body: { kind: "mcp", name: "web", url: `${env.FAKE_MCP_URL}/mcp` },
    });
    await expectError(taken, 409, "name_taken");
    const missingUrl = await call("/api/v1/extensions", { ...as(user), body: { kind: "mcp", name: "nourl" } });
    await expectError(missingUrl, 400, "validation_failed");

    const privateUrl = await call("/api/v1/extensions", {
      ...as(user),
      body: { kind: "mcp", name: "inside", url: "http://10.1.2.3/mcp" },
    });
    const blocked = await expectError(privateUrl, 422, "mcp_unreachable");
    expect(blocked.error.details).toEqual({ reason: "outbound_blocked" });

    const notMcp = await call("/api/v1/extensions", {
      ...as(user),
      body: { kind: "mcp", name: "notmcp", url: `${env.FAKE_MCP_URL}/nothing-here` },
    });
    await expectError(notMcp, 422, "mcp_unreachable");
    expect(await rows("SELECT id FROM user_extensions WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("sends a sealed bearer token to a private server, and fails without it", async () => {
    const user = await createUser();
    const url = `${env.FAKE_MCP_URL}/private/mcp`;
    const without = await call("/api/v1/extensions", { ...as(user), body: { kind: "mcp", name: "locked", url } });
    await expectError(without, 422, "mcp_unreachable");

    const locked = await install(as(user), { kind: "mcp", name: "locked", url, bearer_token: FAKE_MCP_TOKEN });
    expect(locked.secrets).toEqual({ bearer_token: { configured: true } });
    const outcome = await outcomeOf(as(user), "locked__echo", { text: "through the lock" });
    expect(outcome.status).toBe("succeeded");
    const seen = (await remoteCalls()).filter((entry) => JSON.stringify(entry.arguments).includes("through the lock"));
    expect(seen).toEqual([
      { tool: "echo", arguments: { text: "through the lock" }, authorization: `Bearer ${FAKE_MCP_TOKEN}` },
    ]);
    expect(JSON.stringify(await snapshot())).not.toContain(FAKE_MCP_TOKEN);
  });
});

describe("tool discovery is bounded", () => {
  const endless = async (key: string, delay: number, config: Record<string, unknown> = {}) => {
    const user = await createUser();
    const res = await call("/api/v1/extensions", {
      ...as(user),
      body: { kind: "mcp", name: "endless", url: `${env.FAKE_MCP_URL}/endless/mcp?key=${key}&delay=${delay}`, config },
    });
    const stats = async () =>
      (await (await fetch(`${env.FAKE_MCP_URL}/endless/stats?key=${key}`)).json()) as { pages: number };
    return { user, res, stats };
  };

  it("stops following a tool list that never ends after MAX_TOOL_PAGES pages (422) and installs nothing", async () => {
    const { user, res, stats } = await endless(crypto.randomUUID(), 0);
    const refused = await expectError(res, 422, "mcp_unreachable");
    expect(refused.error.details).toEqual({ reason: "mcp_too_many_pages" });
    expect((await stats()).pages).toBe(MAX_TOOL_PAGES);
    expect(await rows("SELECT id FROM user_extensions WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("gives the whole listing a time budget of a few request timeouts (422)", async () => {
    // Pages of 1 s against a 5 s per-request limit (room for a loaded machine): the 15 s budget
    // runs out after at most 15 pages, before MAX_TOOL_PAGES and before any one request times out.
    const { user, res, stats } = await endless(crypto.randomUUID(), 1_000, { timeout_ms: 5_000 });
    const refused = await expectError(res, 422, "mcp_unreachable");
    expect(refused.error.details).toEqual({ reason: "mcp_discovery_timeout" });
    expect((await stats()).pages).toBeLessThan(MAX_TOOL_PAGES);
    expect(await rows("SELECT id FROM user_extensions WHERE user_id = ?", user.id)).toEqual([]);
  });
});

describe("calling remote tools", () => {
  it("runs them through the executor and records them under the extension", async () => {
    const user = await createUser();
    const fake = await installFake(user);
    const echo = await outcomeOf(as(user), "fake__echo", { text: "hi there" });
    expect(echo).toMatchObject({
      status: "succeeded",
      output: { content: [{ type: "text", text: "echo: hi there" }] },
    });
    const add = await outcomeOf(as(user), "fake__add", { a: 2, b: 40 });
    expect(add.output).toMatchObject({ structuredContent: { sum: 42 } });

    const executions = await json<{ items: { tool: string; extension: string; source: string }[] }>(
      await call(`/api/v1/extensions/${fake.id}/executions`, as(user)),
    );
    expect(executions.items.map((item) => [item.tool, item.extension, item.source])).toEqual([
      ["fake__add", "fake", "api"],
      ["fake__echo", "fake", "api"],
    ]);
  });

  it("checks input against the server's JSON Schema before calling it (422)", async () => {
    const user = await createUser();
    await installFake(user);
    const before = (await remoteCalls()).length;
    const res = await runTool(as(user), "fake__add", { input: { a: "two", b: 3 } });
    const body = await expectError(res, 422, "invalid_input");
    expect(JSON.stringify(body.error.details)).toContain("a");
    expect((await remoteCalls()).length).toBe(before);
  });

  it("reports a tool's own error as failed, and asks for confirmation before a destructive tool", async () => {
    const user = await createUser();
    await installFake(user);
    const failed = await outcomeOf(as(user), "fake__fail", {});
    expect(failed).toMatchObject({
      status: "failed",
      error: { code: "remote_tool_error", message: "it broke on purpose" },
    });
    await expectError(await runTool(as(user), "fake__wipe", { input: {} }), 409, "approval_required");
    expect((await outcomeOf(as(user), "fake__wipe", {}, { confirm: true })).status).toBe("succeeded");
  });

  it("times out a slow remote call at the extension's limit", async () => {
    const user = await createUser();
    // Installed with the default limit (discovery must not race a tight one on a loaded machine), then tightened.
    const slowpoke = await installFake(user, "slowpoke");
    const patched = await call(`/api/v1/extensions/${slowpoke.id}`, {
      ...as(user),
      method: "PATCH",
      body: { config: { timeout_ms: 400 } },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const outcome = await outcomeOf(as(user), "slowpoke__slow", { ms: 5_000 });
    expect(outcome.status).toBe("timed_out");
    // Stopped at the limit, not when the tool would have answered.
    expect(outcome.execution_time_ms).toBeGreaterThanOrEqual(400);
    expect(outcome.execution_time_ms).toBeLessThan(5_000);
  });

  it("fails cleanly when the server has gone away or is no longer allowed", async () => {
    const user = await createUser();
    await installFake(user);
    await setConfig("outbound", { allow_private_hosts: [], max_response_bytes: 100_000, timeout_ms: 2_000 });
    const outcome = await outcomeOf(as(user), "fake__echo", { text: "x" });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "outbound_blocked" } });
  });
});

describe("refresh and removal", () => {
  it("re-lists the server's tools on refresh, and removes them with the extension", async () => {
    const user = await createUser();
    const fake = await installFake(user);
    await call(`/api/v1/extensions/${fake.id}`, { ...as(user), method: "PATCH", body: { enabled: false } });
    const refreshed = await call(`/api/v1/extensions/${fake.id}/refresh`, { ...as(user), method: "POST" });
    expect(refreshed.status).toBe(200);
    expect((await json<Extension>(refreshed)).tools).toHaveLength(5);

    expect((await call(`/api/v1/extensions/${fake.id}`, { ...as(user), method: "DELETE" })).status).toBe(200);
    const names = (await json<{ items: { name: string }[] }>(await call("/api/v1/tools", as(user)))).items;
    expect(names.map((tool) => tool.name)).toEqual(["calculator", "current_time"]);
  });
});
