/**
 * The sessions API around the pipeline: create (own, active agents only), list
 * with filters and cursors, read, rename, end (no more turns), delete (the
 * object's storage, D1 rows and search entries all go), message pages, search,
 * and the errors each route owes.
 */
import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import {
  createAgent,
  createSession,
  follow,
  scriptedModel,
  sendMessage,
  sessionObject,
  sessionSocket,
} from "../../../test/worker/support/chat";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { LiveSocket } from "../../../test/worker/support/live";
import { setModelOverride } from "./deps";

let user: TestUser;
let agentId: string;
const model = scriptedModel([{ text: ["Noted: ", "the quokka is happy."] }]);

beforeAll(async () => {
  user = await createUser();
  agentId = await createAgent(user);
  setModelOverride({ mock: () => model });
});
afterAll(() => setModelOverride({ mock: null }));

const api = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`/api/v1${path}`, { token: user.accessToken, ...options });

async function chatOnce(sessionId: string, content: string) {
  const accepted = await sendMessage(user, sessionId, content);
  await follow(user, sessionId, accepted.stream_after);
  return accepted;
}

describe("create, read, list", () => {
  it("creates a session for your active agent and reads it back", async () => {
    const res = await api("/sessions", { body: { agent_id: agentId, title: "  Planning  " } });
    expect(res.status).toBe(201);
    const created = await json<Record<string, unknown>>(res);
    expect(created).toMatchObject({ agent_id: agentId, title: "Planning", status: "active", message_count: 0 });
    const detail = await json(await api(`/sessions/${created.id}`));
    expect(detail).toMatchObject({ ...created, active_turn: null, last_seq: 0 });
    const untitled = await json(await api("/sessions", { body: { agent_id: agentId } }));
    expect(untitled).toMatchObject({ title: "New chat" });
  });

  it("refuses another user's agent (404), an inactive one (409) and bad bodies (400)", async () => {
    const other = await createUser();
    await expectError(await api("/sessions", { body: { agent_id: await createAgent(other) } }), 404, "agent_not_found");
    const inactive = await createAgent(user);
    await run("UPDATE agents SET is_active = 0 WHERE id = ?", inactive);
    await expectError(await api("/sessions", { body: { agent_id: inactive } }), 409, "agent_inactive");
    await expectError(await api("/sessions", { body: { agent_id: agentId, extra: 1 } }), 400, "validation_failed");
    await expectError(await api("/sessions", { body: { agent_id: agentId, title: "" } }), 400, "validation_failed");
  });

  it("lists newest first with agent and status filters and stable cursors", async () => {
    const lister = await createUser();
    const [a, b] = [await createAgent(lister), await createAgent(lister)];
    const ids: string[] = [];
    for (const agent of [a, b, a, b, a]) ids.push(await createSession(lister, agent));
    await call(`/api/v1/sessions/${ids[0]}/end`, { method: "POST", token: lister.accessToken });
    const list = (query: string) =>
      call(`/api/v1/sessions${query}`, { token: lister.accessToken }).then((res) =>
        json<{ items: Array<{ id: string }>; next_cursor: string | null }>(res),
      );
    const first = await list("?limit=2");
    const second = await list(`?limit=2&cursor=${first.next_cursor}`);
    const third = await list(`?limit=2&cursor=${second.next_cursor}`);
    expect([...first.items, ...second.items, ...third.items].map((s) => s.id)).toEqual([...ids].reverse());
    expect(third.next_cursor).toBeNull();
    expect((await list(`?agent_id=${a}`)).items.map((s) => s.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await list("?status=ended")).items.map((s) => s.id)).toEqual([ids[0]]);
    const bad = await call("/api/v1/sessions?status=paused", { token: lister.accessToken });
    await expectError(bad, 400, "validation_failed");
  });

  it("needs agents:read to read and agents:write to change", async () => {
    const readOnly = await createApiKey(user, ["agents:read"]);
    const sessionId = await createSession(user, agentId);
    expect((await call(`/api/v1/sessions/${sessionId}`, { apiKey: readOnly.secret })).status).toBe(200);
    const rename = await call(`/api/v1/sessions/${sessionId}`, {
      method: "PATCH",
      apiKey: readOnly.secret,
      body: { title: "nope" },
    });
    await expectError(rename, 403, "insufficient_scope");
    const send = await call(`/api/v1/sessions/${sessionId}/messages`, {
      apiKey: readOnly.secret,
      body: { content: "x" },
    });
    await expectError(send, 403, "insufficient_scope");

    const upgraded = await exports.default.fetch(
      new Request(`http://edgewise.test/api/v1/sessions/${sessionId}/ws?after=0`, {
        headers: { upgrade: "websocket", "x-api-key": readOnly.secret },
      }),
    );
    expect(upgraded.status).toBe(101);
    const socket = new LiveSocket(upgraded.webSocket!);
    await socket.nextOfType("welcome");
    socket.send({ type: "send", content: "x" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "insufficient_scope", request: "send" });
    socket.close();
    const keyless = await createApiKey(user, ["account:read"]);
    const refused = await call(`/api/v1/sessions/${sessionId}/ws`, {
      apiKey: keyless.secret,
      headers: { upgrade: "websocket" },
    });
    await expectError(refused, 403, "insufficient_scope");
  });
});

describe("messages", () => {
  it("pages messages by seq in both directions", async () => {
    const sessionId = await createSession(user, agentId);
    for (const text of ["one", "two", "three"]) await chatOnce(sessionId, text);
    const page = (query: string) =>
      api(`/sessions/${sessionId}/messages${query}`).then((res) =>
        json<{ items: Array<{ seq: number; content: string }>; next_cursor: string | null }>(res),
      );
    const a = await page("?limit=4");
    const b = await page(`?limit=4&cursor=${a.next_cursor}`);
    expect([...a.items, ...b.items].map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.next_cursor).toBeNull();
    const newest = await page("?limit=2&order=desc");
    expect(newest.items.map((m) => m.content)).toEqual(["Noted: the quokka is happy.", "three"]);
    const older = await page(`?limit=2&order=desc&cursor=${newest.next_cursor}`);
    expect(older.items.map((m) => m.seq)).toEqual([4, 3]);
    await expectError(await api(`/sessions/${sessionId}/messages?cursor=bm90LWEtY3Vyc29y`), 400, "invalid_cursor");
  });

  it("keeps attachments and metadata, and validates them", async () => {
    const sessionId = await createSession(user, agentId);
    const body = {
      content: "see attached",
      attachments: [{ name: "plan.pdf", content_type: "application/pdf", url: "https://files.example.com/plan.pdf" }],
      metadata: { client: "test", tags: ["a"] },
    };
    const res = await api(`/sessions/${sessionId}/messages`, { body });
    expect(res.status).toBe(202);
    const accepted = await json<{ stream_after: number; message: unknown }>(res);
    expect(accepted.message).toMatchObject(body);
    await follow(user, sessionId, accepted.stream_after);
    expect(JSON.stringify(model.doStreamCalls.at(-1)?.prompt)).toContain("plan.pdf");
    const noSource = { content: "x", attachments: [{ name: "a", content_type: "text/plain" }] };
    await expectError(await api(`/sessions/${sessionId}/messages`, { body: noSource }), 400, "validation_failed");
    const badUrl = {
      content: "x",
      attachments: [{ name: "a", content_type: "text/plain", url: "file:///etc/passwd" }],
    };
    await expectError(await api(`/sessions/${sessionId}/messages`, { body: badUrl }), 400, "validation_failed");
    await expectError(
      await api(`/sessions/${sessionId}/messages`, { body: { content: "" } }),
      400,
      "validation_failed",
    );
  });

  it("searches your messages only", async () => {
    const sessionId = await createSession(user, agentId);
    await chatOnce(sessionId, "where do quokkas live?");
    const found = await json<{ items: Array<{ session_id: string; role: string; snippet: string }> }>(
      await api(`/messages/search?q=${encodeURIComponent("quokka")}&session_id=${sessionId}`),
    );
    expect(found.items.map((i) => i.role).sort()).toEqual(["assistant", "user"]);
    expect(found.items[0]?.snippet).toMatch(/<mark>quokka/i);
    const odd = await api(`/messages/search?q=${encodeURIComponent('"quokka" OR NEAR( * ^')}`);
    expect(odd.status).toBe(200);
    const stranger = await createUser();
    const theirs = await call("/api/v1/messages/search?q=quokka", { token: stranger.accessToken });
    expect((await json<{ items: unknown[] }>(theirs)).items).toEqual([]);
  });
});

describe("rename, end, delete", () => {
  it("renames", async () => {
    const sessionId = await createSession(user, agentId);
    const res = await api(`/sessions/${sessionId}`, { method: "PATCH", body: { title: "Renamed" } });
    expect(await res.json()).toMatchObject({ id: sessionId, title: "Renamed" });
  });

  it("ending a session refuses new turns over HTTP and WebSocket", async () => {
    const sessionId = await createSession(user, agentId);
    await chatOnce(sessionId, "hello");
    const { socket } = await sessionSocket(user, sessionId, { after: "0" });
    const ended = await api(`/sessions/${sessionId}/end`, { method: "POST" });
    expect(await ended.json()).toMatchObject({ status: "ended", ended_at: expect.any(String) });
    expect((await socket.nextEvent("session.ended")).data).toEqual({ session_id: sessionId });
    await expectError(
      await api(`/sessions/${sessionId}/messages`, { body: { content: "more" } }),
      409,
      "session_ended",
    );
    socket.send({ type: "send", content: "more" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "session_ended", request: "send" });
    socket.close();
    expect((await api(`/sessions/${sessionId}/end`, { method: "POST" })).status).toBe(200);
    const messages = await json<{ items: unknown[] }>(await api(`/sessions/${sessionId}/messages`));
    expect(messages.items).toHaveLength(2);
  });

  it("deleting wipes the object's storage, the D1 row and the search entries", async () => {
    const sessionId = await createSession(user, agentId);
    await chatOnce(sessionId, "remember the quokka");
    const { socket } = await sessionSocket(user, sessionId, { after: "0" });
    expect(await rows("SELECT * FROM message_search WHERE session_id = ?", sessionId)).toHaveLength(2);

    const res = await api(`/sessions/${sessionId}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await socket.closedByServer()).reason).toBe("session_deleted");
    expect(await rows("SELECT * FROM message_search WHERE session_id = ?", sessionId)).toEqual([]);
    expect(await rows("SELECT * FROM chat_sessions WHERE id = ?", sessionId)).toEqual([]);
    const stored = await runInDurableObject(sessionObject(sessionId), async (_instance, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
        .toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ tables: [], alarm: null });
    await expectError(await api(`/sessions/${sessionId}`), 404, "not_found");
    await expectError(await api(`/sessions/${sessionId}`, { method: "DELETE" }), 404, "not_found");
  });

  it("deleting a session with a turn in flight cancels it first", async () => {
    let release!: () => void;
    const held = scriptedModel([{ text: ["a", "b"], holdAfter: 1, release: new Promise((r) => (release = r)) }]);
    setModelOverride({ mock: () => held });
    const sessionId = await createSession(user, agentId);
    await sendMessage(user, sessionId, "long one");
    expect((await api(`/sessions/${sessionId}`, { method: "DELETE" })).status).toBe(204);
    expect(held.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
    release();
    setModelOverride({ mock: () => model });
    expect(await rows("SELECT * FROM message_search WHERE session_id = ?", sessionId)).toEqual([]);
  });
});
