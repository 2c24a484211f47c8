/**
 * Dangerous tools pause a turn for a human decision, over the API and over the
 * session WebSocket; a turn survives its Durable Object being evicted, whether it
 * waits for approval or is mid-way through its tool calls (the alarm resumes it).
 */
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
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
  sessionObject,
  sessionSocket,
  socketEvents,
  testToolRuntime,
} from "../../../test/worker/support/chat";
import { expectError } from "../../../test/worker/support/envelope";
import { setModelOverride, setPipelineDeps } from "./deps";

let user: TestUser;
let model: ReturnType<typeof scriptedModel>;
let deleted: string[];

const tools = testToolRuntime([
  {
    name: "delete_file",
    dangerous: true,
    run: async (input) => {
      deleted.push((input as { path: string }).path);
      return { deleted: true };
    },
  },
  { name: "echo", run: async (input) => input },
]);

const DANGER: ScriptStep = {
  toolCalls: [
    { id: "call-rm", name: "delete_file", input: { path: "/tmp/report.txt" } },
    { id: "call-echo", name: "echo", input: { said: "hi" } },
  ],
};

function script(steps: ScriptStep[]) {
  model = scriptedModel(steps);
  setModelOverride({ mock: () => model });
}

beforeAll(async () => {
  user = await createUser();
});
let restoreDeps = () => {};
beforeEach(() => {
  deleted = [];
  tools.calls.clear();
  restoreDeps = setPipelineDeps({ tools: tools.runtime });
});
afterEach(() => {
  setModelOverride({ mock: null });
  restoreDeps();
});

async function dangerousSession() {
  const agentId = await createAgent(user, { tools: ["delete_file", "echo"] });
  return createSession(user, agentId);
}

function decide(sessionId: string, callId: string, body: Record<string, unknown>) {
  return call(`/api/v1/sessions/${sessionId}/approvals/${callId}`, { token: user.accessToken, body });
}

describe("approval over the API", () => {
  it("pauses the turn, runs the safe call, and continues once approved", async () => {
    script([DANGER, { text: ["Deleted it."] }]);
    const sessionId = await dangerousSession();
    const accepted = await sendMessage(user, sessionId, "delete the report");
    const paused = await follow(user, sessionId, accepted.stream_after, "tool.approval_required");
    expect(paused.at(-1)?.data).toMatchObject({
      call_id: "call-rm",
      name: "delete_file",
      input: { path: "/tmp/report.txt" },
    });

    const waiting = await openStream(user, sessionId, paused.at(-1)!.seq);
    await waiting.until((e) => e.type === "tool.finished");
    const detail = await json<{ active_turn: { status: string; pending_approvals: unknown[] } }>(
      await call(`/api/v1/sessions/${sessionId}`, { token: user.accessToken }),
    );
    expect(detail.active_turn).toMatchObject({
      status: "awaiting_approval",
      pending_approvals: [{ call_id: "call-rm", tool: "delete_file" }],
    });
    expect(deleted).toEqual([]);
    expect(tools.calls.get("echo")).toBe(1);

    const approved = await decide(sessionId, "call-rm", { decision: "approve" });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ call_id: "call-rm", status: "approved", turn_id: accepted.turn_id });
    const rest = await waiting.until((e) => e.type === "turn.completed");
    await waiting.close();
    expect(rest.map((e) => e.type)).toEqual(
      expect.arrayContaining(["tool.approval_decided", "tool.started", "tool.finished", "turn.completed"]),
    );
    expect(deleted).toEqual(["/tmp/report.txt"]);
    expect(tools.calls.get("echo")).toBe(1);
    expect(promptOf(model, 1)).toContain('"deleted":true');

    const feed = async () => {
      const res = await call("/api/v1/events?limit=500", { token: user.accessToken });
      return (await json<{ items: Array<{ type: string; data: { session_id?: string } }> }>(res)).items
        .filter((e) => e.data.session_id === sessionId)
        .map((e) => e.type);
    };
    // The events arrive through the event store after the turn: wait for both, then check there are no more.
    await vi.waitFor(async () => expect((await feed()).length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(await feed()).toEqual(["chat.approval_required", "chat.turn_ended"]);

    await expectError(await decide(sessionId, "call-rm", { decision: "reject" }), 409, "approval_decided");
    await expectError(await decide(sessionId, "no-such-call", { decision: "approve" }), 404, "approval_not_found");
  });

  it("reject: the tool never runs and the model is told the user rejected it", async () => {
    script([DANGER, { text: ["Understood, I left it."] }]);
    const sessionId = await dangerousSession();
    const accepted = await sendMessage(user, sessionId, "delete the report");
    await follow(user, sessionId, accepted.stream_after, "tool.approval_required");
    const rejected = await decide(sessionId, "call-rm", { decision: "reject", reason: "keep it" });
    expect(await rejected.json()).toMatchObject({ status: "rejected", reason: "keep it" });
    const events = await follow(user, sessionId, accepted.stream_after);
    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(
      events.find((e) => e.type === "tool.finished" && (e.data as { call_id: string }).call_id === "call-rm")?.data,
    ).toMatchObject({ status: "rejected" });
    expect(deleted).toEqual([]);
    expect(promptOf(model, 1)).toContain("Rejected by the user: keep it");
  });

  it("asks again when a later turn reuses a call id", async () => {
    script([DANGER, { text: ["Deleted."] }, DANGER, { text: ["Deleted again."] }]);
    const sessionId = await dangerousSession();
    const first = await sendMessage(user, sessionId, "delete the report");
    await follow(user, sessionId, first.stream_after, "tool.approval_required");
    await decide(sessionId, "call-rm", { decision: "approve" });
    await follow(user, sessionId, first.stream_after);
    const second = await sendMessage(user, sessionId, "and once more");
    const events = await follow(user, sessionId, second.stream_after, "tool.approval_required");
    expect(events.at(-1)).toMatchObject({ turn_id: second.turn_id, data: { call_id: "call-rm" } });
    expect(deleted).toEqual(["/tmp/report.txt"]);
    const approved = await decide(sessionId, "call-rm", { decision: "approve" });
    expect(await approved.json()).toMatchObject({ turn_id: second.turn_id, status: "approved" });
    expect((await follow(user, sessionId, second.stream_after)).at(-1)?.type).toBe("turn.completed");
    expect(deleted).toEqual(["/tmp/report.txt", "/tmp/report.txt"]);
  });

  it("cancelling a turn that waits for approval closes the approval", async () => {
    script([DANGER]);
    const sessionId = await dangerousSession();
    const accepted = await sendMessage(user, sessionId, "delete the report");
    await follow(user, sessionId, accepted.stream_after, "tool.approval_required");
    const res = await call(`/api/v1/sessions/${sessionId}/turns/${accepted.turn_id}/cancel`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(await res.json()).toMatchObject({ status: "cancelled", pending_approvals: [] });
    await expectError(await decide(sessionId, "call-rm", { decision: "approve" }), 409, "approval_decided");
  });
});

describe("approval over the WebSocket", () => {
  it("send, approval_required, approve, completed — all on one socket", async () => {
    script([DANGER, { text: ["Done over the socket."] }]);
    const sessionId = await dangerousSession();
    const { socket } = await sessionSocket(user, sessionId);
    socket.send("not json");
    expect(await socket.nextOfType("error")).toMatchObject({ code: "bad_frame" });
    socket.send({ type: "approve" });
    expect(await socket.nextOfType("error")).toMatchObject({
      code: "bad_frame",
      message: expect.stringContaining("call_id"),
    });

    socket.send({ type: "send", content: "delete the report" });
    const accepted = await socket.nextOfType("accepted");
    const required = await socket.nextEvent("tool.approval_required");
    expect(required.data).toMatchObject({ call_id: "call-rm" });
    socket.send({ type: "approve", call_id: "call-rm" });
    expect(await socket.nextOfType("ack")).toMatchObject({ request: "approve", id: "call-rm" });
    await socket.nextEvent("turn.completed");
    expect(deleted).toEqual(["/tmp/report.txt"]);

    const events = socketEvents(socket);
    expect(events[0]).toMatchObject({ type: "turn.started", turn_id: accepted.turn_id });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
    socket.send({ type: "approve", call_id: "call-rm" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "approval_decided", request: "approve" });
    socket.close();
  });

  it("reject over the socket, with a reason", async () => {
    script([DANGER, { text: ["ok"] }]);
    const sessionId = await dangerousSession();
    const { socket } = await sessionSocket(user, sessionId, { after: "0" });
    await sendMessage(user, sessionId, "delete the report");
    await socket.nextEvent("tool.approval_required");
    socket.send({ type: "reject", call_id: "call-rm", reason: "no" });
    await socket.nextOfType("ack");
    await socket.nextEvent("turn.completed");
    expect(deleted).toEqual([]);
    expect(promptOf(model, 1)).toContain("Rejected by the user: no");
    socket.close();
  });
});

/** Polls the session until its open turn has `status` (or no turn is open, for null). */
async function waitForTurn(sessionId: string, status: string | null) {
  await vi.waitFor(
    async () => {
      const res = await call(`/api/v1/sessions/${sessionId}`, { token: user.accessToken });
      const { active_turn } = await json<{ active_turn: { status: string } | null }>(res);
      expect(active_turn?.status ?? null, `turn never reached ${status}`).toBe(status);
    },
    { timeout: 10_000, interval: 10 },
  );
}

describe("durability", () => {
  // Waiting happens on the hibernating WebSocket: an open SSE response would hold the object in memory.
  it("a turn waiting for approval survives eviction (its socket too) and completes once approved", async () => {
    script([DANGER, { text: ["Deleted after a restart."] }]);
    const sessionId = await dangerousSession();
    const { socket } = await sessionSocket(user, sessionId, { after: "0" });
    const accepted = await sendMessage(user, sessionId, "delete the report");
    await socket.nextEvent("tool.approval_required");
    await waitForTurn(sessionId, "awaiting_approval");
    await evictDurableObject(sessionObject(sessionId));

    expect((await decide(sessionId, "call-rm", { decision: "approve" })).status).toBe(200);
    await socket.nextEvent("turn.completed");
    socket.close();
    const events = await follow(user, sessionId, accepted.stream_after);
    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(deleted).toEqual(["/tmp/report.txt"]);
    expect(tools.calls.get("echo")).toBe(1);
  });

  // A turn mid-way holds work in the object, which graceful eviction waits out; a restart (deploy, crash) does not.
  it("a running turn is resumed by the alarm after a restart, without running finished tool calls again", async () => {
    let gateCalls = 0;
    const gated = testToolRuntime([
      { name: "quick", run: async () => ({ ok: true }) },
      {
        name: "gate",
        timeoutMs: 60_000,
        run: () => (++gateCalls === 1 ? new Promise(() => {}) : Promise.resolve({ opened: true })),
      },
    ]);
    setPipelineDeps({ tools: gated.runtime });
    script([
      {
        toolCalls: [
          { id: "c-quick", name: "quick", input: {} },
          { id: "c-gate", name: "gate", input: {} },
        ],
      },
      { text: ["Recovered."] },
    ]);
    const sessionId = await createSession(user, await createAgent(user, { tools: ["quick", "gate"] }));
    const { socket } = await sessionSocket(user, sessionId, { after: "0" });
    const accepted = await sendMessage(user, sessionId, "use both");
    await socket.nextEvent("tool.finished");

    await abortAllDurableObjects();
    expect(await runDurableObjectAlarm(sessionObject(sessionId))).toBe(true);
    await waitForTurn(sessionId, null);
    const events = await follow(user, sessionId, accepted.stream_after);

    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(events.find((e) => e.type === "turn.resumed")?.data).toMatchObject({ step: 1 });
    expect(gated.calls.get("quick")).toBe(1);
    expect(gated.calls.get("gate")).toBe(2);
    const finished = events
      .filter((e) => e.type === "tool.finished")
      .map((e) => (e.data as { call_id: string }).call_id);
    expect(finished.sort()).toEqual(["c-gate", "c-quick"]);
    expect(model.doStreamCalls).toHaveLength(2);
  });
});
