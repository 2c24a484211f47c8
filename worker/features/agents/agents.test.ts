/**
 * Agents through HTTP with real local D1: defaults, validation (400 for form,
 * 422 for meaning), unique names per user (409), lists with filters and cursors,
 * changes and deletion with their audit rows, scopes, and other users' agents.
 */
import { describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import type { AgentDto } from "./schemas";

type Page = { items: AgentDto[]; next_cursor: string | null };
type AuditRow = { action: string; resource_id: string; old_values: string | null; new_values: string | null };

const create = (user: TestUser, body: Record<string, unknown>) =>
  call("/api/v1/agents", { token: user.accessToken, body });

async function createAgent(user: TestUser, body: Record<string, unknown> = {}): Promise<AgentDto> {
  const res = await create(user, { name: `agent ${crypto.randomUUID()}`, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<AgentDto>(res);
}

const auditRows = (resourceId: string) =>
  rows<AuditRow>("SELECT * FROM audit_logs WHERE resource_id = ? ORDER BY created_at, rowid", resourceId);

describe("creating agents", () => {
  it("fills in the system defaults and writes an audit row without the prompt's text", async () => {
    const user = await createUser();
    const agent = await createAgent(user, { name: "Plain", system_prompt: "Be brief." });
    expect(agent).toMatchObject({
      name: "Plain",
      type: "assistant",
      model: "offline:assistant",
      fallback_models: [],
      system_prompt: "Be brief.",
      tools: [],
      config: {},
      template_id: null,
      active: true,
    });
    expect(Date.parse(agent.created_at)).toBeGreaterThan(Date.now() - 60_000);

    const [audit, ...more] = await auditRows(agent.id);
    expect(more).toEqual([]);
    expect(audit?.action).toBe("agent.create");
    const values = JSON.parse(audit!.new_values!);
    expect(values).toMatchObject({ name: "Plain", model: "offline:assistant", system_prompt_chars: 9 });
    expect(values).not.toHaveProperty("system_prompt");
  });

  it("keeps every field it was given, and reads back the same", async () => {
    const user = await createUser();
    const body = {
      name: "Researcher",
      type: "research",
      model: "my-ollama:llama3.2:3b",
      fallback_models: ["workers-ai:@cf/meta/llama-3.1-8b-instruct", "offline:assistant"],
      system_prompt: "x".repeat(20_000),
      tools: ["web_search", "http_fetch", "github.create_issue"],
      config: {
        temperature: 0.2,
        max_steps: 12,
        max_output_tokens: 2048,
        history_window: 30,
        context_budget_tokens: 24_000,
        tool_timeout_ms: 20_000,
        memory_retrieval: true,
      },
      active: false,
    };
    const agent = await createAgent(user, body);
    expect(agent).toMatchObject(body);
    const read = await call(`/api/v1/agents/${agent.id}`, { token: user.accessToken });
    expect(await json(read)).toEqual(agent);
  });

  it.each([
    ["a model without a provider", { model: "gpt-4o" }, "model"],
    ["a model with spaces", { model: "openai:gpt 4o" }, "model"],
    ["an upper-case provider", { model: "OpenAI:gpt-4o" }, "model"],
    ["six fallbacks", { fallback_models: Array.from({ length: 6 }, (_, i) => `p:m${i}`) }, "fallback_models"],
    ["a repeated fallback", { fallback_models: ["p:m", "p:m"] }, "fallback_models"],
    ["a prompt over 20k characters", { system_prompt: "x".repeat(20_001) }, "system_prompt"],
    ["65 tools", { tools: Array.from({ length: 65 }, (_, i) => `tool_${i}`) }, "tools"],
    ["a tool name with a space", { tools: ["web search"] }, "tools"],
    ["a temperature over 2", { config: { temperature: 2.5 } }, "config"],
    ["a fractional max_steps", { config: { max_steps: 1.5 } }, "config"],
    ["an unknown config key", { config: { top_k: 3 } }, "config"],
    ["an unknown type", { type: "wizard" }, "type"],
    ["an unknown field", { owner: "someone" }, "(root)"],
    ["a blank name", { name: "   " }, "name"],
  ])("refuses %s with 400 naming the field", async (_label, body, field) => {
    const user = await createUser();
    const res = await create(user, { name: "Bad", ...body });
    const error = await expectError(res, 400, "validation_failed");
    expect((error.error.details as { path: string }[]).map((issue) => issue.path.split(".")[0])).toContain(field);
    expect(await rows("SELECT id FROM agents WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("refuses a fallback that repeats the primary model with 422", async () => {
    const user = await createUser();
    const res = await create(user, { name: "Loop", model: "p:m", fallback_models: ["p:other", "p:m"] });
    await expectError(res, 422, "invalid_fallback_models");
    const agent = await createAgent(user, { model: "p:m", fallback_models: ["p:other"] });
    const patched = await call(`/api/v1/agents/${agent.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { model: "p:other" },
    });
    await expectError(patched, 422, "invalid_fallback_models");
  });

  it("gives each name once per user (409), and other users the same name", async () => {
    const user = await createUser();
    const other = await createUser();
    await createAgent(user, { name: "Helper" });
    const duplicate = await expectError(await create(user, { name: "Helper" }), 409, "agent_name_taken");
    expect(duplicate.error.details).toEqual({ name: "Helper" });
    expect(await rows("SELECT id FROM agents WHERE user_id = ? AND name = 'Helper'", user.id)).toHaveLength(1);
    expect((await create(other, { name: "Helper" })).status).toBe(201);
    // Names are trimmed before they are compared.
    await expectError(await create(user, { name: "  Helper " }), 409, "agent_name_taken");
  });

  it("lets only one of many concurrent creations with one name win", async () => {
    const user = await createUser();
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(user, { name: "Racer" })));
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const [agent] = await rows<{ id: string }>("SELECT id FROM agents WHERE user_id = ?", user.id);
    expect(await rows("SELECT action FROM audit_logs WHERE user_id = ? AND action = 'agent.create'", user.id)).toEqual([
      { action: "agent.create" },
    ]);
    expect(await auditRows(agent!.id)).toHaveLength(1);
  });

  it("announces the new agent on the user's live feed", async () => {
    const user = await createUser();
    const agent = await createAgent(user, { name: "Announced" });
    await vi.waitFor(
      async () => {
        const feed = await json<{ items: { type: string; data: unknown }[] }>(
          await call("/api/v1/events", { token: user.accessToken }),
        );
        expect(feed.items).toContainEqual(
          expect.objectContaining({
            type: "agent.created",
            data: { id: agent.id, name: "Announced", type: "assistant" },
          }),
        );
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe("listing agents", () => {
  it("pages newest first and filters by type and active", async () => {
    const user = await createUser();
    const made = [];
    for (const [i, type] of ["assistant", "research", "research", "web", "research"].entries()) {
      made.push(await createAgent(user, { name: `a${i}`, type, active: i !== 2 }));
    }
    const seen: AgentDto[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Page = await json<Page>(await call(`/api/v1/agents?limit=2${query}`, { token: user.accessToken }));
      seen.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.map((agent) => agent.id).sort()).toEqual(made.map((agent) => agent.id).sort());
    const times = seen.map((agent) => Date.parse(agent.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const names = async (query: string) =>
      (await json<Page>(await call(`/api/v1/agents?${query}`, { token: user.accessToken }))).items
        .map((agent) => agent.name)
        .sort();
    expect(await names("type=research")).toEqual(["a1", "a2", "a4"]);
    expect(await names("type=research&active=true")).toEqual(["a1", "a4"]);
    expect(await names("active=false")).toEqual(["a2"]);
    expect(await names("type=custom")).toEqual([]);
    await expectError(await call("/api/v1/agents?type=wizard", { token: user.accessToken }), 400, "validation_failed");
    await expectError(await call("/api/v1/agents?cursor=nope", { token: user.accessToken }), 400, "invalid_cursor");
  });
});

describe("changing agents", () => {
  it("changes only the fields given, replaces config whole, and audits old and new values", async () => {
    const user = await createUser();
    const agent = await createAgent(user, { name: "Before", tools: ["calculator"], config: { temperature: 1 } });
    const res = await call(`/api/v1/agents/${agent.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { name: "After", config: { max_steps: 3 }, active: false },
    });
    expect(res.status).toBe(200);
    const updated = await json<AgentDto>(res);
    expect(updated).toMatchObject({ name: "After", tools: ["calculator"], config: { max_steps: 3 }, active: false });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(agent.updated_at));
    expect(await json(await call(`/api/v1/agents/${agent.id}`, { token: user.accessToken }))).toEqual(updated);

    const audit = (await auditRows(agent.id)).at(-1)!;
    expect(audit.action).toBe("agent.update");
    expect(JSON.parse(audit.old_values!)).toEqual({ name: "Before", config: { temperature: 1 }, active: true });
    expect(JSON.parse(audit.new_values!)).toEqual({ name: "After", config: { max_steps: 3 }, active: false });
  });

  it("refuses a rename to another agent's name (409) but not to its own", async () => {
    const user = await createUser();
    await createAgent(user, { name: "Taken" });
    const agent = await createAgent(user, { name: "Mine" });
    const patch = (body: unknown) =>
      call(`/api/v1/agents/${agent.id}`, { method: "PATCH", token: user.accessToken, body });
    await expectError(await patch({ name: "Taken" }), 409, "agent_name_taken");
    expect((await patch({ name: "Mine", system_prompt: "new" })).status).toBe(200);
    expect((await auditRows(agent.id)).map((row) => row.action)).toEqual(["agent.create", "agent.update"]);
  });

  it("refuses an empty change (400) and an unknown id (404)", async () => {
    const user = await createUser();
    const agent = await createAgent(user);
    const empty = await call(`/api/v1/agents/${agent.id}`, { method: "PATCH", token: user.accessToken, body: {} });
    await expectError(empty, 400, "validation_failed");
    const missing = await call(`/api/v1/agents/${crypto.randomUUID()}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { name: "x" },
    });
    await expectError(missing, 404, "not_found");
  });
});

describe("deleting agents", () => {
  it("removes the agent with its sessions, usage, budgets and search rows, and audits it", async () => {
    const user = await createUser();
    const agent = await createAgent(user, { name: "Doomed" });
    const kept = await createAgent(user, { name: "Kept" });
    const sessionId = crypto.randomUUID();
    await run(
      "INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, 'chat')",
      sessionId,
      user.id,
      agent.id,
    );
    await run(
      "INSERT INTO message_search (content, user_id, session_id, message_id, role, created_at) VALUES ('hello doomed', ?, ?, 'm1', 'user', ?)",
      user.id,
      sessionId,
      Date.now(),
    );
    await run(
      "INSERT INTO agent_usage_daily (agent_id, user_id, day, messages) VALUES (?, ?, '2026-01-01', 3)",
      agent.id,
      user.id,
    );
    for (const [scope, scopeId] of [
      ["agent", agent.id],
      ["session", sessionId],
      ["agent", kept.id],
    ]) {
      const res = await call("/api/v1/budgets", {
        token: user.accessToken,
        body: { scope, scope_id: scopeId, period: "total", max_tokens: 1000 },
      });
      expect(res.status).toBe(201);
    }

    const res = await call(`/api/v1/agents/${agent.id}`, { method: "DELETE", token: user.accessToken });
    expect(res.status).toBe(204);
    await expectError(await call(`/api/v1/agents/${agent.id}`, { token: user.accessToken }), 404, "not_found");
    expect(await rows("SELECT id FROM chat_sessions WHERE agent_id = ?", agent.id)).toEqual([]);
    expect(await rows("SELECT * FROM agent_usage_daily WHERE agent_id = ?", agent.id)).toEqual([]);
    expect(await rows("SELECT * FROM message_search WHERE session_id = ?", sessionId)).toEqual([]);
    expect(await rows<{ scope_id: string }>("SELECT scope_id FROM budgets WHERE user_id = ?", user.id)).toEqual([
      { scope_id: kept.id },
    ]);
    const audit = (await auditRows(agent.id)).at(-1)!;
    expect(audit.action).toBe("agent.delete");
    expect(JSON.parse(audit.old_values!)).toMatchObject({ name: "Doomed" });
    await expectError(
      await call(`/api/v1/agents/${agent.id}`, { method: "DELETE", token: user.accessToken }),
      404,
      "not_found",
    );
  });
});

describe("access", () => {
  it("never shows or changes another user's agent (404, as for a missing one)", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const agent = await createAgent(owner, { name: "Private" });
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { name: "Stolen" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await call(`/api/v1/agents/${agent.id}`, { method, token: stranger.accessToken, body });
      await expectError(res, 404, "not_found");
    }
    const list = await json<Page>(await call("/api/v1/agents", { token: stranger.accessToken }));
    expect(list.items).toEqual([]);
    expect(await json(await call(`/api/v1/agents/${agent.id}`, { token: owner.accessToken }))).toEqual(agent);
  });

  it("needs agents:read to read and agents:write to change", async () => {
    const user = await createUser();
    const agent = await createAgent(user);
    const reader = await createApiKey(user, ["agents:read"]);
    expect((await call(`/api/v1/agents/${agent.id}`, { apiKey: reader.secret })).status).toBe(200);
    await expectError(
      await call("/api/v1/agents", { apiKey: reader.secret, body: { name: "x" } }),
      403,
      "insufficient_scope",
    );
    const viewer = await createUser({ role: "viewer" });
    expect((await call("/api/v1/agents", { token: viewer.accessToken })).status).toBe(200);
    await expectError(await create(viewer, { name: "x" }), 403, "insufficient_scope");
  });

  it("answers methods other than POST on /agents/from-template with 405", async () => {
    const user = await createUser();
    for (const method of ["GET", "PATCH", "DELETE"]) {
      const res = await call("/api/v1/agents/from-template", {
        method,
        token: user.accessToken,
        body: method === "PATCH" ? { name: "x" } : undefined,
      });
      expect(res.headers.get("allow")).toContain("POST");
      await expectError(res, 405, "method_not_allowed");
    }
  });
});
