/**
 * /api/v1/budgets through HTTP: create, list (with what each has used), change
 * and delete; validation, ownership of the agent or session a budget names,
 * duplicates, scopes and audit rows.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { usageLedger } from "./service";

type Budget = {
  id: string;
  scope: string;
  scope_id: string | null;
  period: string;
  max_tokens: number | null;
  max_cost_usd: number | null;
  used: { tokens: number; cost_usd: number };
  created_at: string;
  updated_at: string;
};

let user: TestUser;
let agentId: string;
let sessionId: string;

beforeEach(async () => {
  user = await createUser();
  const res = await call("/api/v1/agents", { token: user.accessToken, body: { name: "Budgeted" } });
  agentId = (await json<{ id: string }>(res)).id;
  sessionId = crypto.randomUUID();
  await run(
    "INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, 't')",
    sessionId,
    user.id,
    agentId,
  );
});

const post = (body: unknown, who = user) => call("/api/v1/budgets", { token: who.accessToken, body });
const patch = (id: string, body: unknown) =>
  call(`/api/v1/budgets/${id}`, { method: "PATCH", token: user.accessToken, body });
const list = async (query = "") =>
  (await json<{ items: Budget[] }>(await call(`/api/v1/budgets${query}`, { token: user.accessToken }))).items;

async function created(res: Response): Promise<Budget> {
  expect(res.status, await res.clone().text()).toBe(201);
  return json<Budget>(res);
}

describe("creating budgets", () => {
  it("sets user, agent and session budgets, with money in USD and micro-dollars in D1", async () => {
    const mine = await created(await post({ scope: "user", period: "month", max_cost_usd: 12.345678 }));
    expect(mine).toMatchObject({
      scope: "user",
      scope_id: null,
      period: "month",
      max_tokens: null,
      max_cost_usd: 12.345678,
      used: { tokens: 0, cost_usd: 0 },
    });
    const [stored] = await rows<{ max_cost_micros: number; scope_id: string }>(
      "SELECT max_cost_micros, scope_id FROM budgets WHERE id = ?",
      mine.id,
    );
    expect(stored).toEqual({ max_cost_micros: 12_345_678, scope_id: "" });

    const agent = await created(await post({ scope: "agent", scope_id: agentId, period: "day", max_tokens: 5000 }));
    expect(agent).toMatchObject({ scope: "agent", scope_id: agentId, max_tokens: 5000, max_cost_usd: null });
    const session = await created(
      await post({ scope: "session", scope_id: sessionId, period: "total", max_tokens: 10, max_cost_usd: 0 }),
    );
    expect(session).toMatchObject({ scope_id: sessionId, max_tokens: 10, max_cost_usd: 0 });

    const audit = await rows<{ action: string; new_values: string }>(
      "SELECT action, new_values FROM audit_logs WHERE resource_id = ?",
      agent.id,
    );
    expect(audit.map((row) => row.action)).toEqual(["budget.create"]);
    // max_tokens is set; the audit log's secret masking currently hides any key with "token" in it.
    expect(JSON.parse(audit[0]!.new_values)).toEqual({
      id: agent.id,
      scope: "agent",
      scope_id: agentId,
      period: "day",
      max_tokens: expect.anything(),
      max_cost_usd: null,
    });
  });

  it.each([
    ["no limit at all", { scope: "user", period: "day" }, "max_tokens"],
    ["a user budget with a scope_id", { scope: "user", scope_id: "x", period: "day", max_tokens: 1 }, "scope_id"],
    ["an agent budget without its id", { scope: "agent", period: "day", max_tokens: 1 }, "scope_id"],
    ["an unknown period", { scope: "user", period: "week", max_tokens: 1 }, "period"],
    ["an unknown scope", { scope: "team", period: "day", max_tokens: 1 }, "scope"],
    ["negative tokens", { scope: "user", period: "day", max_tokens: -1 }, "max_tokens"],
    ["fractional tokens", { scope: "user", period: "day", max_tokens: 1.5 }, "max_tokens"],
    ["a cost given as text", { scope: "user", period: "day", max_cost_usd: "5" }, "max_cost_usd"],
  ])("refuses %s with 400 naming the field", async (_label, body, field) => {
    const error = await expectError(await post(body), 400, "validation_failed");
    expect((error.error.details as { path: string }[]).map((issue) => issue.path)).toContain(field);
    expect(await rows("SELECT id FROM budgets WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("answers 404 for an agent or session that is not the caller's", async () => {
    const other = await createUser();
    for (const [scope, id] of [
      ["agent", agentId],
      ["session", sessionId],
      ["agent", sessionId],
      ["session", crypto.randomUUID()],
    ]) {
      await expectError(await post({ scope, scope_id: id, period: "day", max_tokens: 1 }, other), 404, "not_found");
    }
    await expectError(await post({ scope: "agent", scope_id: sessionId, period: "day", max_tokens: 1 }), 404);
    const ids = [user.id, other.id];
    expect(await rows("SELECT id FROM budgets WHERE user_id IN (?, ?)", ...ids)).toEqual([]);
  });

  it("keeps one budget per scope, subject and period (409)", async () => {
    await created(await post({ scope: "agent", scope_id: agentId, period: "day", max_tokens: 1 }));
    const duplicate = await post({ scope: "agent", scope_id: agentId, period: "day", max_cost_usd: 1 });
    await expectError(duplicate, 409, "budget_exists");
    await created(await post({ scope: "agent", scope_id: agentId, period: "month", max_tokens: 1 }));
    await created(await post({ scope: "user", period: "day", max_tokens: 1 }));
    await expectError(await post({ scope: "user", period: "day", max_tokens: 2 }), 409, "budget_exists");
    const other = await createUser();
    await created(await post({ scope: "user", period: "day", max_tokens: 1 }, other));
    expect(
      await rows("SELECT action FROM audit_logs WHERE user_id = ? AND action = 'budget.create'", user.id),
    ).toHaveLength(3);
  });
});

describe("listing budgets", () => {
  it("shows what each budget has used in its period, and filters by scope and subject", async () => {
    const subject = { userId: user.id, agentId, sessionId };
    await usageLedger.record(env, subject, {
      inputTokens: 300,
      outputTokens: 200,
      costMicros: 1_250_000,
      toolCalls: 0,
      interaction: true,
    });
    await run("INSERT INTO usage_daily (user_id, day, input_tokens) VALUES (?, '2000-01-01', 7)", user.id);
    const day = await created(await post({ scope: "user", period: "day", max_tokens: 10_000 }));
    const total = await created(await post({ scope: "user", period: "total", max_tokens: 10_000 }));
    const agent = await created(await post({ scope: "agent", scope_id: agentId, period: "month", max_tokens: 1 }));
    const session = await created(
      await post({ scope: "session", scope_id: sessionId, period: "total", max_tokens: 1 }),
    );

    const all = await list();
    expect(all.map((budget) => budget.id)).toEqual([session.id, agent.id, total.id, day.id]);
    const used = Object.fromEntries(all.map((budget) => [budget.id, budget.used]));
    expect(used[day.id]).toEqual({ tokens: 500, cost_usd: 1.25 });
    expect(used[total.id]).toEqual({ tokens: 507, cost_usd: 1.25 });
    expect(used[agent.id]).toEqual({ tokens: 500, cost_usd: 1.25 });
    expect(used[session.id]).toEqual({ tokens: 500, cost_usd: 1.25 });

    expect((await list("?scope=user")).map((budget) => budget.id).sort()).toEqual([day.id, total.id].sort());
    expect((await list(`?scope_id=${agentId}`)).map((budget) => budget.id)).toEqual([agent.id]);
    const firstPage = await json<{ items: Budget[]; next_cursor: string }>(
      await call("/api/v1/budgets?limit=3", { token: user.accessToken }),
    );
    expect(firstPage.items).toHaveLength(3);
    const rest = await list(`?cursor=${encodeURIComponent(firstPage.next_cursor)}`);
    expect(rest.map((budget) => budget.id)).toEqual([day.id]);
  });
});

describe("changing and deleting budgets", () => {
  it("changes limits, removes one with null, refuses removing both (422), and audits", async () => {
    const budget = await created(await post({ scope: "user", period: "day", max_tokens: 100 }));
    const both = await patch(budget.id, { max_cost_usd: 2.5 });
    expect(await json(both)).toMatchObject({ max_tokens: 100, max_cost_usd: 2.5 });
    const costOnly = await json<Budget>(await patch(budget.id, { max_tokens: null }));
    expect(costOnly).toMatchObject({ max_tokens: null, max_cost_usd: 2.5 });
    await expectError(await patch(budget.id, { max_cost_usd: null }), 422, "budget_without_limit");
    await expectError(await patch(budget.id, {}), 400, "validation_failed");
    await expectError(await patch(budget.id, { period: "month" }), 400, "validation_failed");

    const audit = await rows<{ action: string; old_values: string; new_values: string }>(
      "SELECT action, old_values, new_values FROM audit_logs WHERE resource_id = ? AND action = 'budget.update' ORDER BY created_at, rowid",
      budget.id,
    );
    const set = expect.anything(); // a set max_tokens is masked in the audit log (any key with "token")
    expect(audit.map((row) => [JSON.parse(row.old_values), JSON.parse(row.new_values)])).toEqual([
      [
        { max_tokens: set, max_cost_usd: null },
        { max_tokens: set, max_cost_usd: 2.5 },
      ],
      [
        { max_tokens: set, max_cost_usd: 2.5 },
        { max_tokens: null, max_cost_usd: 2.5 },
      ],
    ]);
  });

  it("deletes a budget (204) with an audit row; a second delete is 404", async () => {
    const budget = await created(await post({ scope: "user", period: "day", max_tokens: 100 }));
    const res = await call(`/api/v1/budgets/${budget.id}`, { method: "DELETE", token: user.accessToken });
    expect(res.status).toBe(204);
    expect(await list()).toEqual([]);
    expect(
      await rows("SELECT action FROM audit_logs WHERE resource_id = ? AND action = 'budget.delete'", budget.id),
    ).toHaveLength(1);
    const again = await call(`/api/v1/budgets/${budget.id}`, { method: "DELETE", token: user.accessToken });
    await expectError(again, 404, "not_found");
  });

  it("reads with usage:read and writes with agents:write", async () => {
    const reader = await createApiKey(user, ["usage:read"]);
    expect((await call("/api/v1/budgets", { apiKey: reader.secret })).status).toBe(200);
    expect((await call("/api/v1/usage", { apiKey: reader.secret })).status).toBe(200);
    const refused = await call("/api/v1/budgets", {
      apiKey: reader.secret,
      body: { scope: "user", period: "day", max_tokens: 1 },
    });
    await expectError(refused, 403, "insufficient_scope");
    const writer = await createApiKey(user, ["agents:write"]);
    await expectError(await call("/api/v1/budgets", { apiKey: writer.secret }), 403, "insufficient_scope");
    const viewer = await createUser({ role: "viewer" });
    expect((await call("/api/v1/budgets", { token: viewer.accessToken })).status).toBe(200);
    await expectError(await post({ scope: "user", period: "day", max_tokens: 1 }, viewer), 403, "insufficient_scope");
  });
});
