/**
 * The agent pipeline end to end, through HTTP: a scripted mock model, test tools,
 * the usage ledger behind deps.ts, D1 and the session's Durable Object.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import {
  createAgent,
  createSession,
  follow,
  openStream,
  promptOf,
  type ScriptStep,
  scriptedModel,
  sendMessage,
  testToolRuntime,
} from "../../../test/worker/support/chat";
import { setConfig } from "../../../test/worker/support/config";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../config/registry";
import { setModelOverride, setPipelineDeps } from "./deps";

let user: TestUser;

beforeAll(async () => {
  user = await createUser();
  await setConfig("model_prices", {
    ...CONFIG_REGISTRY.model_prices.default,
    scripted: { input_per_mtok: 1, output_per_mtok: 2 },
  });
});

let model: ReturnType<typeof scriptedModel>;
function script(steps: ScriptStep[]) {
  model = scriptedModel(steps);
  setModelOverride({ mock: () => model });
}

let restoreDeps = () => {};
beforeEach(() => restoreDeps());
afterEach(() => setModelOverride({ mock: null }));

type Message = { role: string; content: string; seq: number; metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;
async function messagesOf(sessionId: string) {
  const res = await call(`/api/v1/sessions/${sessionId}/messages?limit=100`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return (await json<{ items: Message[] }>(res)).items;
}

describe("a turn with text only", () => {
  it("streams the answer, stores both messages and records usage", async () => {
    script([{ text: ["Hel", "lo, ", "world"] }]);
    const agentId = await createAgent(user, { prompt: "Be brief." });
    const sessionId = await createSession(user, agentId, "First chat");

    const accepted = await sendMessage(user, sessionId, "Say hello");
    expect(accepted.message).toMatchObject({ role: "user", content: "Say hello" });
    const events = await follow(user, sessionId, accepted.stream_after);

    expect(events[0]).toMatchObject({ type: "turn.started", turn_id: accepted.turn_id });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => accepted.stream_after + 1 + i));
    const text = events.filter((e) => e.type === "text.delta").map((e) => (e.data as { text: string }).text);
    expect(text.join("")).toBe("Hello, world");
    expect(text.length).toBeLessThan(3); // coalesced, not one event per chunk
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "turn.completed", data: { steps: 1 } });
    expect(done.data).toMatchObject({ usage: { input_tokens: 100, output_tokens: 20, cost_micros: 140 } });

    const messages = await messagesOf(sessionId);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Say hello"],
      ["assistant", "Hello, world"],
    ]);
    expect(messages[1]).toMatchObject({ input_tokens: 100, output_tokens: 20, cost_micros: 140 });
    expect(promptOf(model, 0)).toContain("Be brief.");
    expect(promptOf(model, 0)).toContain("Say hello");

    const [session] = await rows(`SELECT * FROM chat_sessions WHERE id = ?`, sessionId);
    expect(session).toMatchObject({ message_count: 2, input_tokens: 100, output_tokens: 20, cost_micros: 140 });
    const [daily] = await rows(`SELECT * FROM agent_usage_daily WHERE agent_id = ?`, agentId);
    // Both sides of the exchange count: the user's message and the agent's answer.
    expect(daily).toMatchObject({ messages: 2, sessions: 1, input_tokens: 100, cost_micros: 140, responses: 1 });
    const found = await call(`/api/v1/messages/search?q=hello&session_id=${sessionId}`, { token: user.accessToken });
    expect((await json<{ items: unknown[] }>(found)).items).toHaveLength(2);
  });

  it("runs one turn at a time: a second message while one runs is 409 turn_in_progress", async () => {
    let release!: () => void;
    script([{ text: ["a", "b"], holdAfter: 1, release: new Promise((resolve) => (release = resolve)) }]);
    const sessionId = await createSession(user, await createAgent(user));
    const first = await sendMessage(user, sessionId, "one");
    const second = await call(`/api/v1/sessions/${sessionId}/messages`, {
      token: user.accessToken,
      body: { content: "two" },
    });
    await expectError(second, 409, "turn_in_progress");
    release();
    await follow(user, sessionId, first.stream_after);
    await sendMessage(user, sessionId, "two, now");
  });

  it("falls back down the agent's chain when a model fails before streaming", async () => {
    const broken = scriptedModel([{ error: "provider is down" }]);
    model = scriptedModel([{ text: ["from the fallback"] }]);
    setModelOverride({ mock: (id) => (id === "broken" ? broken : model) });
    const agentId = await createAgent(user, { model: "mock:broken", fallback: ["mock:scripted"] });
    const sessionId = await createSession(user, agentId);
    const events = await follow(user, sessionId, (await sendMessage(user, sessionId, "hi")).stream_after);
    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(broken.doStreamCalls).toHaveLength(1);
    const usage = events.find((e) => e.type === "usage");
    expect(usage?.data).toMatchObject({ model: "mock:scripted" });
  });

  it("fails the turn with model_error when every model of the chain fails", async () => {
    script([{ error: "provider is down" }]);
    const sessionId = await createSession(user, await createAgent(user));
    const events = await follow(user, sessionId, (await sendMessage(user, sessionId, "hi")).stream_after);
    expect(events.at(-1)).toMatchObject({ type: "turn.failed", data: { code: "model_error" } });
  });
});

describe("tools", () => {
  it("runs three calls in parallel; the slow one times out and the others' results reach the model", async () => {
    const wait = (ms: number, signal: AbortSignal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    const tools = testToolRuntime([
      {
        name: "search",
        run: async (_input, signal) => {
          await wait(150, signal);
          return { results: [{ title: "Edge docs", url: "https://docs.example.com/edge" }] };
        },
      },
      {
        name: "add",
        run: async (input, signal) => {
          await wait(150, signal);
          const { a, b } = input as { a: number; b: number };
          return { sum: a + b };
        },
      },
      { name: "slow", timeoutMs: 300, run: (_input, signal) => wait(10_000, signal) },
    ]);
    restoreDeps = setPipelineDeps({ tools: tools.runtime });
    script([
      {
        toolCalls: [
          { id: "c-search", name: "search", input: { q: "edge" } },
          { id: "c-add", name: "add", input: { a: 2, b: 3 } },
          { id: "c-slow", name: "slow", input: {} },
        ],
      },
      { text: ["The sum is 5 [1]."] },
    ]);
    const agentId = await createAgent(user, { tools: ["search", "add", "slow"] });
    const sessionId = await createSession(user, agentId);
    const events = await follow(user, sessionId, (await sendMessage(user, sessionId, "go")).stream_after);

    const finished = events.filter((e) => e.type === "tool.finished").map((e) => e.data as Record<string, unknown>);
    expect(Object.fromEntries(finished.map((f) => [f.call_id, f.status]))).toEqual({
      "c-search": "succeeded",
      "c-add": "succeeded",
      "c-slow": "timed_out",
    });
    const started = events.filter((e) => e.type === "tool.started");
    const ended = events.filter((e) => e.type === "tool.finished");
    const wall = Math.max(...ended.map((e) => Date.parse(e.ts))) - Math.min(...started.map((e) => Date.parse(e.ts)));
    expect(wall).toBeGreaterThanOrEqual(290);
    // In parallel: every call started before any finished (one after another would alternate).
    expect(Math.max(...started.map((e) => e.seq))).toBeLessThan(Math.min(...ended.map((e) => e.seq)));

    const second = promptOf(model, 1);
    expect(second).toContain('"sum":5');
    expect(second).toContain("Edge docs");
    expect(second).toMatch(/timed_out/);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "turn.completed", data: { steps: 2 } });
    expect((done.data as { citations: unknown[] }).citations).toEqual([
      expect.objectContaining({
        source: "tool",
        url: "https://docs.example.com/edge",
        title: "Edge docs",
        tool: "search",
      }),
    ]);
    const messages = await messagesOf(sessionId);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool", "tool", "assistant"]);
    expect(tools.calls.get("slow")).toBe(1);
  });
});

describe("context providers", () => {
  it("adds retrieved snippets to the prompt and cites them; a failing provider is skipped", async () => {
    script([{ text: ["Quokkas live on Rottnest [1]."] }]);
    const seen: string[] = [];
    restoreDeps = setPipelineDeps({
      context: [
        {
          name: "memory",
          retrieve: async (_env, query) => {
            seen.push(query.text);
            return [
              {
                text: "Quokkas live on Rottnest Island.",
                citation: { title: "Field notes", url: "https://notes.example.com/q" },
              },
            ];
          },
        },
        { name: "broken", retrieve: async () => Promise.reject(new Error("index offline")) },
      ],
    });
    const sessionId = await createSession(user, await createAgent(user));
    const events = await follow(
      user,
      sessionId,
      (await sendMessage(user, sessionId, "where do quokkas live?")).stream_after,
    );
    expect(seen).toEqual(["where do quokkas live?"]);
    expect(promptOf(model, 0)).toContain("[1] Quokkas live on Rottnest Island.");
    expect((events.at(-1)!.data as { citations: unknown[] }).citations).toEqual([
      { source: "context", title: "Field notes", url: "https://notes.example.com/q", provider: "memory" },
    ]);
  });
});

describe("budgets", () => {
  it("stops before the model is called when the step could cross a budget", async () => {
    script([{ text: ["never said"] }]);
    const budgetUser = await createUser();
    await run(
      `INSERT INTO budgets (id, user_id, scope, scope_id, period, max_tokens) VALUES (?, ?, 'user', '', 'day', 50)`,
      crypto.randomUUID(),
      budgetUser.id,
    );
    const sessionId = await createSession(budgetUser, await createAgent(budgetUser));
    const accepted = await sendMessage(budgetUser, sessionId, "expensive question");
    const events = await follow(budgetUser, sessionId, accepted.stream_after);

    expect(model.doStreamCalls).toHaveLength(0);
    const exceeded = events.find((e) => e.type === "budget.exceeded");
    expect(exceeded?.data).toMatchObject({ scope: "user", period: "day", limit: { tokens: 50 } });
    expect(events.at(-1)).toMatchObject({ type: "turn.failed", data: { code: "budget_exceeded" } });
    const detail = await json<{ active_turn: unknown }>(
      await call(`/api/v1/sessions/${sessionId}`, { token: budgetUser.accessToken }),
    );
    expect(detail.active_turn).toBeNull();
  });
});

describe("cancel", () => {
  it("aborts the model mid-stream and ends the turn as cancelled; the next turn works", async () => {
    script([{ text: ["partial ", "answer", " never"], holdAfter: 2 }, { text: ["fresh"] }]);
    const sessionId = await createSession(user, await createAgent(user));
    const accepted = await sendMessage(user, sessionId, "long answer please");
    const reader = await openStream(user, sessionId, accepted.stream_after);
    await reader.until(
      (_, all) =>
        all
          .filter((e) => e.type === "text.delta")
          .map((e) => (e.data as { text: string }).text)
          .join("") === "partial answer",
    );

    const res = await call(`/api/v1/sessions/${sessionId}/turns/${accepted.turn_id}/cancel`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: accepted.turn_id, status: "cancelled" });
    const events = await reader.until((e) => e.type === "turn.cancelled");
    await reader.close();
    expect(model.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
    expect(events.filter((e) => e.type === "message").at(-1)?.data).toMatchObject({
      message: { role: "assistant", content: "partial answer", metadata: { partial: true } },
    });

    const again = await call(`/api/v1/sessions/${sessionId}/turns/${accepted.turn_id}/cancel`, {
      method: "POST",
      token: user.accessToken,
    });
    await expectError(again, 409, "turn_not_open");
    const next = await sendMessage(user, sessionId, "try again");
    expect((await follow(user, sessionId, next.stream_after)).at(-1)?.type).toBe("turn.completed");
  });
});
