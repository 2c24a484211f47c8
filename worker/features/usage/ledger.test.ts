/**
 * The usage ledger as the chat pipeline uses it (called directly with the real
 * local D1), read back through GET /usage and GET /usage/agents: the arithmetic
 * of record(), zero-filled days, ranges, and checkBudgets for every scope and
 * period, with costs as well as tokens.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { publishEvent } from "../events/publish";
import type { SpendEstimate, UsageSubject } from "./contract";
import { addDays, monthStart, utcDay } from "./days";
import { budgetExceededEvent, usageLedger } from "./service";

type Counts = {
  api_calls: number;
  agent_interactions: number;
  input_tokens: number;
  output_tokens: number;
  tool_calls: number;
  cost_usd: number;
};
type Report = { from: string; to: string; days: (Counts & { day: string })[]; totals: Counts };
type AgentReport = { items: { agent_id: string; name: string; [key: string]: unknown }[] };

let user: TestUser;
let subject: UsageSubject;

async function newAgent(owner: TestUser, name = `agent ${crypto.randomUUID()}`) {
  const res = await call("/api/v1/agents", { token: owner.accessToken, body: { name } });
  expect(res.status).toBe(201);
  return json<{ id: string; name: string }>(res);
}

async function newSession(owner: TestUser, agentId: string) {
  const id = crypto.randomUUID();
  await run("INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, 'chat')", id, owner.id, agentId);
  return id;
}

beforeEach(async () => {
  user = await createUser();
  const agent = await newAgent(user);
  subject = { userId: user.id, agentId: agent.id, sessionId: await newSession(user, agent.id) };
});

const report = async (query = "") => json<Report>(await call(`/api/v1/usage${query}`, { token: user.accessToken }));

/** One turn as the pipeline records it: a model step that calls two tools, the tools, the final step. */
async function recordTurn(target: UsageSubject, responseMs: number, first: boolean) {
  await usageLedger.record(env, target, {
    inputTokens: 100,
    outputTokens: 20,
    costMicros: 300,
    toolCalls: 0,
    interaction: true,
    newSession: first,
  });
  await usageLedger.record(env, target, {
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 50,
    toolCalls: 2,
    interaction: false,
  });
  await usageLedger.record(env, target, {
    inputTokens: 150,
    outputTokens: 80,
    costMicros: 500,
    toolCalls: 0,
    interaction: false,
    responseMs,
  });
}

describe("record", () => {
  it("adds each step to the user's day, the agent's day and the session's totals", async () => {
    await recordTurn(subject, 1200, true);
    await recordTurn(subject, 800, false);
    const today = utcDay();

    const { days, totals } = await report(`?from=${today}&to=${today}`);
    expect(days).toHaveLength(1);
    const expected = { agent_interactions: 2, input_tokens: 500, output_tokens: 200, tool_calls: 4, cost_usd: 0.0017 };
    expect(days[0]).toMatchObject({ day: today, ...expected });
    expect(totals).toMatchObject(expected);

    const agents = await json<AgentReport>(await call("/api/v1/usage/agents", { token: user.accessToken }));
    expect(agents.items).toEqual([
      {
        agent_id: subject.agentId,
        name: expect.any(String),
        messages: 4,
        sessions: 1,
        input_tokens: 500,
        output_tokens: 200,
        cost_usd: 0.0017,
        avg_response_ms: 1000,
      },
    ]);

    const [session] = await rows<Record<string, number>>("SELECT * FROM chat_sessions WHERE id = ?", subject.sessionId);
    // Spend only: message_count belongs to the session's Durable Object.
    expect(session).toMatchObject({ message_count: 0, input_tokens: 500, output_tokens: 200, cost_micros: 1700 });
  });

  it("counts explicit message numbers, and never lets a bad number subtract", async () => {
    await usageLedger.record(env, subject, {
      inputTokens: -50,
      outputTokens: 10.4,
      costMicros: Number.NaN,
      toolCalls: 0,
      interaction: false,
      messages: 3,
    });
    const [session] = await rows<Record<string, number>>("SELECT * FROM chat_sessions WHERE id = ?", subject.sessionId);
    expect(session).toMatchObject({ input_tokens: 0, output_tokens: 10, cost_micros: 0 });
    const [agentDay] = await rows<{ messages: number }>(
      "SELECT messages FROM agent_usage_daily WHERE agent_id = ? ORDER BY day DESC LIMIT 1",
      subject.agentId,
    );
    expect(agentDay?.messages).toBeGreaterThanOrEqual(3);
  });

  it("keeps the user's usage when the agent was deleted mid-turn", async () => {
    await run("DELETE FROM agents WHERE id = ?", subject.agentId);
    await usageLedger.record(env, subject, {
      inputTokens: 7,
      outputTokens: 3,
      costMicros: 1,
      toolCalls: 0,
      interaction: true,
    });
    expect((await report()).totals).toMatchObject({ input_tokens: 7, output_tokens: 3, agent_interactions: 1 });
    expect(await rows("SELECT * FROM agent_usage_daily WHERE agent_id = ?", subject.agentId)).toEqual([]);
  });

  it("never counts one user's usage for another", async () => {
    const other = await createUser();
    await recordTurn(subject, 100, true);
    const theirs = await json<Report>(await call("/api/v1/usage", { token: other.accessToken }));
    expect(theirs.totals).toMatchObject({ input_tokens: 0, cost_usd: 0 });
    const agents = await json<AgentReport>(await call("/api/v1/usage/agents", { token: other.accessToken }));
    expect(agents.items).toEqual([]);
  });
});

describe("GET /usage ranges", () => {
  it("fills every day of the range, zeros where nothing happened", async () => {
    const today = utcDay();
    const weekAgo = addDays(today, -6);
    await run(
      "INSERT INTO usage_daily (user_id, day, input_tokens, cost_micros) VALUES (?, ?, 40, 2500000)",
      user.id,
      addDays(today, -3),
    );
    await run("INSERT INTO usage_daily (user_id, day, input_tokens) VALUES (?, ?, 999)", user.id, addDays(today, -30));
    const { from, to, days, totals } = await report(`?from=${weekAgo}&to=${today}`);
    expect({ from, to }).toEqual({ from: weekAgo, to: today });
    expect(days.map((day) => day.day)).toEqual(Array.from({ length: 7 }, (_, i) => addDays(weekAgo, i)));
    expect(days.map((day) => day.input_tokens)).toEqual([0, 0, 0, 40, 0, 0, 0]);
    expect(days[0]).toEqual({
      day: weekAgo,
      api_calls: 0,
      agent_interactions: 0,
      input_tokens: 0,
      output_tokens: 0,
      tool_calls: 0,
      cost_usd: 0,
    });
    expect(totals).toMatchObject({ input_tokens: 40, cost_usd: 2.5 });
  });

  it("defaults to the 30 days up to today", async () => {
    const { from, to, days } = await report();
    expect(to).toBe(utcDay());
    expect(from).toBe(addDays(utcDay(), -29));
    expect(days).toHaveLength(30);
  });

  it("refuses reversed (422) and over-long ranges (422) and dates that do not exist (400)", async () => {
    const get = (query: string) => call(`/api/v1/usage${query}`, { token: user.accessToken });
    await expectError(await get("?from=2026-03-02&to=2026-03-01"), 422, "invalid_range");
    await expectError(await get("?from=2024-01-01&to=2025-01-01"), 422, "range_too_long");
    expect((await get("?from=2024-01-01&to=2024-12-31")).status).toBe(200);
    await expectError(await get("?from=2025-02-30"), 400, "validation_failed");
    await expectError(await get("?to=yesterday"), 400, "validation_failed");
    await expectError(
      await call("/api/v1/usage/agents?from=2026-03-02&to=2026-03-01", { token: user.accessToken }),
      422,
      "invalid_range",
    );
  });
});

describe("checkBudgets", () => {
  const today = utcDay();
  const lastMonth = addDays(monthStart(today), -1);
  // Spent today: 100 tokens, 1000 µ$; earlier this month (unless today is the 1st): 10, 100; last month: 1000, 5000.
  const earlierThisMonth = today === monthStart(today) ? null : monthStart(today);
  const monthTokens = 100 + (earlierThisMonth ? 10 : 0);
  const monthCost = 1000 + (earlierThisMonth ? 100 : 0);

  async function seedDaily(table: "usage_daily" | "agent_usage_daily") {
    const insert = (day: string, input: number, output: number, cost: number) =>
      table === "usage_daily"
        ? run(
            "INSERT INTO usage_daily (user_id, day, input_tokens, output_tokens, cost_micros) VALUES (?, ?, ?, ?, ?)",
            subject.userId,
            day,
            input,
            output,
            cost,
          )
        : run(
            "INSERT INTO agent_usage_daily (agent_id, user_id, day, input_tokens, output_tokens, cost_micros) VALUES (?, ?, ?, ?, ?, ?)",
            subject.agentId,
            subject.userId,
            day,
            input,
            output,
            cost,
          );
    await insert(today, 60, 40, 1000);
    if (earlierThisMonth) await insert(earlierThisMonth, 5, 5, 100);
    await insert(lastMonth, 1000, 0, 5000);
  }

  async function budget(body: Record<string, unknown>) {
    const res = await call("/api/v1/budgets", { token: user.accessToken, body });
    expect(res.status, await res.clone().text()).toBe(201);
    return json<{ id: string }>(res);
  }

  const check = (estimate: SpendEstimate, target = subject) => usageLedger.checkBudgets(env, target, estimate);

  it("finds nothing to stop without budgets", async () => {
    await seedDaily("usage_daily");
    expect(await check({ tokens: 1e9, costMicros: 1e9 })).toBeNull();
  });

  it.each([
    ["user", "usage_daily"],
    ["agent", "agent_usage_daily"],
  ] as const)("sums a %s budget's day, month and total from %s", async (scope, table) => {
    await seedDaily(table);
    const scopeId = scope === "agent" ? { scope_id: subject.agentId } : {};
    const used = { day: [100, 1000], month: [monthTokens, monthCost], total: [monthTokens + 1000, monthCost + 5000] };
    for (const period of ["day", "month", "total"] as const) {
      const [tokens, cost] = used[period];
      const { id } = await budget({ scope, ...scopeId, period, max_tokens: tokens! + 50 });
      expect(await check({ tokens: 50, costMicros: 0 }), `${period} at the limit`).toBeNull();
      expect(await check({ tokens: 51, costMicros: 0 })).toEqual({
        budgetId: id,
        scope,
        period,
        limit: { tokens: tokens! + 50, costMicros: null },
        used: { tokens, costMicros: cost },
        estimate: { tokens: 51, costMicros: 0 },
      });
      await call(`/api/v1/budgets/${id}`, { method: "DELETE", token: user.accessToken });
    }
  });

  it("stops on cost as well as tokens (USD in the API, micro-dollars in the ledger)", async () => {
    await seedDaily("usage_daily");
    const { id } = await budget({ scope: "user", period: "day", max_cost_usd: 0.0025 });
    expect(await check({ tokens: 1e6, costMicros: 1500 })).toBeNull();
    expect(await check({ tokens: 0, costMicros: 1501 })).toMatchObject({
      budgetId: id,
      limit: { tokens: null, costMicros: 2500 },
      used: { tokens: 100, costMicros: 1000 },
    });
  });

  it("counts a session's whole life for its budgets, whatever the period", async () => {
    await recordTurn(subject, 500, true); // 350 tokens, 850 µ$
    for (const period of ["day", "month", "total"] as const) {
      const { id } = await budget({ scope: "session", scope_id: subject.sessionId, period, max_tokens: 400 });
      expect(await check({ tokens: 50, costMicros: 0 })).toBeNull();
      expect(await check({ tokens: 51, costMicros: 0 })).toMatchObject({
        budgetId: id,
        scope: "session",
        period,
        used: { tokens: 350, costMicros: 850 },
      });
      await call(`/api/v1/budgets/${id}`, { method: "DELETE", token: user.accessToken });
    }
  });

  it("reports the broadest scope and shortest period first, and ignores budgets for other subjects", async () => {
    await recordTurn(subject, 500, true); // 350 tokens today for user, agent and session
    const otherAgent = await newAgent(user);
    const otherSession = await newSession(user, otherAgent.id);
    await budget({ scope: "agent", scope_id: otherAgent.id, period: "day", max_tokens: 0 });
    await budget({ scope: "session", scope_id: otherSession, period: "total", max_tokens: 0 });
    expect(await check({ tokens: 10, costMicros: 0 })).toBeNull();

    const session = await budget({ scope: "session", scope_id: subject.sessionId, period: "total", max_tokens: 300 });
    const agentTotal = await budget({ scope: "agent", scope_id: subject.agentId, period: "total", max_tokens: 300 });
    const agentMonth = await budget({ scope: "agent", scope_id: subject.agentId, period: "month", max_tokens: 300 });
    expect((await check({ tokens: 1, costMicros: 0 }))?.budgetId).toBe(agentMonth.id);
    const userTotal = await budget({ scope: "user", period: "total", max_tokens: 100 });
    expect((await check({ tokens: 1, costMicros: 0 }))?.budgetId).toBe(userTotal.id);
    for (const { id } of [userTotal, agentMonth]) {
      await call(`/api/v1/budgets/${id}`, { method: "DELETE", token: user.accessToken });
    }
    expect((await check({ tokens: 1, costMicros: 0 }))?.budgetId).toBe(agentTotal.id);
    await call(`/api/v1/budgets/${agentTotal.id}`, { method: "DELETE", token: user.accessToken });
    expect((await check({ tokens: 1, costMicros: 0 }))?.budgetId).toBe(session.id);

    // What the pipeline tells the user's live hub when it stops a turn on this breach.
    const breach = (await check({ tokens: 1, costMicros: 0 }))!;
    await publishEvent(env, user.id, "usage.budget_exceeded", budgetExceededEvent(subject, breach));
    const feed = await json<{ items: { type: string; data: unknown }[] }>(
      await call("/api/v1/events", { token: user.accessToken }),
    );
    expect(feed.items.at(-1)).toMatchObject({
      type: "usage.budget_exceeded",
      data: {
        budget_id: session.id,
        scope: "session",
        period: "total",
        agent_id: subject.agentId,
        session_id: subject.sessionId,
      },
    });

    // The same session id under another user's name is not this budget's session.
    const stranger = await createUser();
    expect(await check({ tokens: 1e6, costMicros: 0 }, { ...subject, userId: stranger.id })).toBeNull();
  });
});
