/**
 * The executor's rules, each status through the tools API (and the runtime the chat
 * pipeline calls directly, for what HTTP cannot reach): one tool_executions row per
 * call, scopes, input validation, the cache, rate limits and daily quotas,
 * timeouts that abort the run, cancellation, and secrets kept out of the record.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { rows, run, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { allowLocalServers, as, install, outcomeOf, runTool } from "../../../test/worker/support/tools";
import { scopesFor } from "../auth/scopes";
import type { ToolCaller } from "./contract";
import { toolRuntime } from "./runtime";

type Row = {
  id: string;
  tool: string;
  extension: string | null;
  source: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  execution_time_ms: number;
  cost_micros: number;
  session_id: string | null;
  agent_id: string | null;
  call_id: string | null;
};

const executions = (user: TestUser) =>
  rows<Row>("SELECT * FROM tool_executions WHERE user_id = ? ORDER BY created_at, id", user.id);

const DEFAULT_LIMITS = {
  default: { limit: 60, window_seconds: 60, daily_quota: 5_000 },
  http_fetch: { limit: 30, window_seconds: 60, daily_quota: 1_000 },
};

function caller(user: TestUser, extra: Partial<ToolCaller> = {}): ToolCaller {
  return { userId: user.id, scopes: scopesFor("developer"), source: "chat", ...extra };
}

beforeEach(async () => {
  await setConfig("tool_limits", DEFAULT_LIMITS);
  await allowLocalServers();
});

describe("recording", () => {
  it("records one row per call with tool, extension, source, input, output, status and time", async () => {
    const user = await createUser();
    const outcome = await outcomeOf(as(user), "calculator", { expression: "6 * 7" });
    expect(outcome).toMatchObject({ status: "succeeded", output: { result: "42", value: 42 }, cost_micros: 0 });
    const [row, ...more] = await executions(user);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      id: outcome.execution_id,
      tool: "calculator",
      extension: "core",
      source: "api",
      status: "succeeded",
      error: null,
    });
    expect(JSON.parse(row!.input!)).toEqual({ expression: "6 * 7" });
    expect(JSON.parse(row!.output!)).toMatchObject({ result: "42" });
    expect(row!.execution_time_ms).toBe(outcome.execution_time_ms);

    const listed = await json<{ items: { id: string; status: string; input: unknown }[] }>(
      await call("/api/v1/tool-executions", as(user)),
    );
    expect(listed.items).toEqual([expect.objectContaining({ id: outcome.execution_id, status: "succeeded" })]);
  });

  it("records the chat pipeline's session, agent and call ids", async () => {
    const user = await createUser();
    const ids = { sessionId: "session-1", agentId: "agent-1", callId: "call-1" };
    const outcome = await toolRuntime.execute(env, caller(user, ids), "current_time", {});
    expect(outcome.status).toBe("succeeded");
    expect(await executions(user)).toEqual([
      expect.objectContaining({ source: "chat", session_id: "session-1", agent_id: "agent-1", call_id: "call-1" }),
    ]);
  });

  it("masks secrets in the recorded input", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const secret = `sk-${crypto.randomUUID()}`;
    const input = { url: `${env.FAKE_WEB_URL}/hello`, headers: { authorization: `Bearer ${secret}` } };
    expect((await outcomeOf(as(user), "http_fetch", input)).status).toBe("succeeded");
    const [row] = await executions(user);
    expect(JSON.parse(row!.input!)).toMatchObject({ headers: { authorization: "***" } });
    expect(JSON.stringify(await snapshot())).not.toContain(secret);
  });
});

describe("refusals", () => {
  it("invalid input → 422 with the issues, recorded as invalid_input", async () => {
    const user = await createUser();
    const res = await runTool(as(user), "calculator", { input: { expression: 42 } });
    const body = await expectError(res, 422, "invalid_input");
    expect(body.error.details).toMatchObject({ issues: [expect.objectContaining({ path: "expression" })] });
    expect((await executions(user)).map((row) => row.status)).toEqual(["invalid_input"]);
  });

  it("a caller without tools:execute is forbidden (403 on the API, status forbidden in the runtime)", async () => {
    const user = await createUser();
    const reader = await createApiKey(user, ["tools:read"]);
    await expectError(
      await runTool({ apiKey: reader.secret }, "calculator", { input: { expression: "1" } }),
      403,
      "insufficient_scope",
    );
    const narrow = caller(user, { scopes: new Set(["tools:read"]) });
    const outcome = await toolRuntime.execute(env, narrow, "calculator", { expression: "1" });
    expect(outcome).toMatchObject({ status: "forbidden", error: { code: "insufficient_scope" } });
    expect((await executions(user)).map((row) => row.status)).toEqual(["forbidden"]);
  });

  it("an unknown or disabled tool → 404 on the API; the runtime records tool_not_found", async () => {
    const user = await createUser();
    await expectError(await runTool(as(user), "no_such_tool", { input: {} }), 404, "tool_not_found");
    await expectError(
      await runTool(as(user), "http_fetch", { input: { url: "https://a.test" } }),
      404,
      "tool_not_found",
    );
    expect(await executions(user)).toEqual([]);

    const outcome = await toolRuntime.execute(env, caller(user), "http_fetch", { url: "https://a.test" });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "tool_not_found" } });
    expect(await executions(user)).toEqual([expect.objectContaining({ tool: "http_fetch", extension: null })]);
  });

  it("records a person's rejection of a dangerous call", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const outcome = await toolRuntime.recordRejection(env, caller(user), "http_request", { url: "https://a.test" });
    expect(outcome).toMatchObject({ status: "rejected", error: { code: "rejected" } });
    expect(await executions(user)).toEqual([expect.objectContaining({ status: "rejected", extension: "web" })]);
  });
});

describe("rate limits and quotas", () => {
  it("answers 429 with Retry-After once a tool's per-user limit is spent", async () => {
    await setConfig("tool_limits", { ...DEFAULT_LIMITS, calculator: { limit: 2, window_seconds: 60 } });
    const user = await createUser();
    const other = await createUser();
    for (const n of [1, 2])
      expect((await outcomeOf(as(user), "calculator", { expression: `${n} + 0` })).status).toBe("succeeded");
    const res = await runTool(as(user), "calculator", { input: { expression: "3 + 0" } });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expectError(res, 429, "rate_limited");
    expect((await executions(user)).map((row) => row.status)).toEqual(["succeeded", "succeeded", "rate_limited"]);
    // Another user's bucket, and another tool's, are untouched.
    expect((await outcomeOf(as(other), "calculator", { expression: "3 + 0" })).status).toBe("succeeded");
    expect((await outcomeOf(as(user), "current_time", {})).status).toBe("succeeded");
  });

  it("counts today's executions against the daily quota (429 quota_exceeded until midnight UTC)", async () => {
    await setConfig("tool_limits", {
      ...DEFAULT_LIMITS,
      current_time: { limit: 100, window_seconds: 60, daily_quota: 2 },
    });
    const user = await createUser();
    await outcomeOf(as(user), "current_time", {});
    await outcomeOf(as(user), "current_time", { time_zone: "Europe/Paris" });
    const res = await runTool(as(user), "current_time", { input: {} });
    const untilMidnight = 86_400 - Math.floor((Date.now() % 86_400_000) / 1000);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(untilMidnight + 1);
    await expectError(res, 429, "quota_exceeded");
    // Yesterday's executions do not count.
    await run("UPDATE tool_executions SET created_at = created_at - 86400000 WHERE user_id = ?", user.id);
    expect((await outcomeOf(as(user), "current_time", {})).status).toBe("succeeded");
  });
});

describe("the cache", () => {
  it("serves a repeat call from the cache without running the tool, per user", async () => {
    const user = await createUser();
    const other = await createUser();
    for (const someone of [user, other]) await install(as(someone), { name: "web" });
    const url = `${env.FAKE_WEB_URL}/slow?ms=400`;
    const first = await outcomeOf(as(user), "http_fetch", { url, max_chars: 500 });
    expect(first.status).toBe("succeeded");
    expect(first.execution_time_ms).toBeGreaterThanOrEqual(390);

    // Same input with its keys in another order: the same entry.
    const second = await outcomeOf(as(user), "http_fetch", { max_chars: 500, url });
    expect(second).toMatchObject({ status: "cached", output: first.output, cost_micros: 0 });
    expect(second.execution_time_ms).toBeLessThan(390);
    expect((await outcomeOf(as(other), "http_fetch", { url, max_chars: 500 })).status).toBe("succeeded");

    await run("UPDATE tool_cache SET expires_at = ? WHERE user_id = ?", Date.now() - 1, user.id);
    expect((await outcomeOf(as(user), "http_fetch", { url, max_chars: 500 })).status).toBe("succeeded");
    expect((await executions(user)).map((row) => row.status)).toEqual(["succeeded", "cached", "succeeded"]);
  });

  it("never caches failures or tools without a TTL", async () => {
    const user = await createUser();
    for (let i = 0; i < 2; i++) {
      expect((await outcomeOf(as(user), "calculator", { expression: "nope(" })).status).toBe("failed");
      expect((await outcomeOf(as(user), "current_time", {})).status).toBe("succeeded");
    }
    expect(await rows("SELECT key FROM tool_cache WHERE user_id = ?", user.id)).toEqual([]);
  });
});

describe("time limits", () => {
  it("stops a run at the deadline: timed_out, recorded, answered in time", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const started = Date.now();
    const outcome = await outcomeOf(
      as(user),
      "http_fetch",
      { url: `${env.FAKE_WEB_URL}/slow?ms=5000` },
      { timeout_ms: 300 },
    );
    expect(outcome).toMatchObject({ status: "timed_out", error: { code: "timed_out" } });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome.execution_time_ms).toBeGreaterThanOrEqual(290);
    expect((await executions(user)).map((row) => row.status)).toEqual(["timed_out"]);
  });

  it("counts the outbound guard's own time cap as a timeout too", async () => {
    await allowLocalServers({ timeout_ms: 300 });
    const user = await createUser();
    await install(as(user), { name: "web" });
    const outcome = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/slow?ms=3000` });
    expect(outcome).toMatchObject({ status: "timed_out", error: { code: "outbound_timeout" } });
  });

  it("takes the caller's tighter limit, and stops when the caller cancels", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const slow = { url: `${env.FAKE_WEB_URL}/slow?ms=5000` };
    const tight = await toolRuntime.execute(env, caller(user, { timeoutMs: 200 }), "http_fetch", slow);
    expect(tight.status).toBe("timed_out");

    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("turn cancelled")), 200);
    const cancelled = await toolRuntime.execute(env, caller(user), "http_fetch", slow, controller.signal);
    expect(cancelled).toMatchObject({ status: "failed", error: { code: "cancelled" } });
    expect(cancelled.executionTimeMs).toBeLessThan(3_000);
  });
});

describe("GET /tool-executions", () => {
  it("filters by tool, status and extension, and pages with a cursor", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    for (const expression of ["1", "2", "3"]) await outcomeOf(as(user), "calculator", { expression });
    await outcomeOf(as(user), "calculator", { expression: "bad(" });
    await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/hello` });
    const list = async (query: string) =>
      (
        await json<{ items: { tool: string; status: string }[]; next_cursor: string | null }>(
          await call(`/api/v1/tool-executions?${query}`, as(user)),
        )
      ).items;
    expect(await list("tool=calculator")).toHaveLength(4);
    expect(await list("status=failed")).toEqual([expect.objectContaining({ tool: "calculator", status: "failed" })]);
    expect((await list("extension=web")).map((item) => item.tool)).toEqual(["http_fetch"]);
    expect(await list("source=mcp")).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { tool: string }[]; next_cursor: string | null } = await json(
        await call(`/api/v1/tool-executions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, as(user)),
      );
      seen.push(...page.items.map((item) => item.tool));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(seen[0]).toBe("http_fetch");
  });
});
