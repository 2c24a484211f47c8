/**
 * The live hub through its public surface: connect tickets, the WebSocket upgrade
 * at /api/v1/ws, events published by the Worker, client frames, replay, limits and
 * hibernation, against the real UserHub Durable Object in workerd.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_CLIENT_FRAME_BYTES } from "../../shared/live-hub/protocol";
import { call, createApiKey, createUser, json, type TestUser } from "../../test/worker/support/api";
import { connect, type Frame, LiveSocket, publishMessage, ticketFor, upgrade } from "../../test/worker/support/live";
import { CONFIG_REGISTRY, type ConfigValue } from "../../worker/features/config/registry";
import { hmacSign } from "../../worker/lib/crypto";
import { toBase64Url, utf8 } from "../../worker/lib/encoding";

const open: LiveSocket[] = [];

async function connected(user: TestUser, query: Record<string, string> = {}) {
  const result = await connect(user, query);
  open.push(result.socket);
  return result;
}

function socketFrom(res: Response) {
  expect(res.status).toBe(101);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  const socket = new LiveSocket(res.webSocket!);
  open.push(socket);
  return socket;
}

type HubLimits = ConfigValue<"hub_limits">;
let changedLimits = false;

/** Changes hub_limits the way an operator does: PUT /api/v1/admin/config as an admin. */
let admin: TestUser | undefined;
async function setHubLimits(change: Partial<HubLimits>) {
  admin ??= await createUser({ role: "admin" });
  const value = { ...CONFIG_REGISTRY.hub_limits.default, ...change };
  const res = await call("/api/v1/admin/config/hub_limits", {
    method: "PUT",
    token: admin.accessToken,
    body: { value },
  });
  expect(res.status).toBe(200);
  changedLimits = true;
}

afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  if (changedLimits) {
    await setHubLimits({});
    changedLimits = false;
  }
});

const hubOf = (user: TestUser) => env.USER_HUB.get(env.USER_HUB.idFromName(user.id));
const isError = (frame: Frame) => frame.type === "error";

describe("connecting", () => {
  it("greets a new socket with a welcome frame naming its topics and the latest event id", async () => {
    const user = await createUser();
    const { last_event_id } = await json<{ last_event_id: number }>(
      await call("/api/v1/events", { token: user.accessToken }),
    );
    const { welcome } = await connected(user);
    expect(welcome).toMatchObject({ type: "welcome", topics: ["*"], last_event_id, heartbeat_ms: 30_000 });
    expect(welcome.connection_id).toMatch(/^[0-9a-f-]{36}$/);

    const filtered = await connected(user, { topics: "apikey,user.message" });
    expect(filtered.welcome.topics).toEqual(["apikey", "user.message"]);
    expect(filtered.welcome.connection_id).not.toBe(welcome.connection_id);
  });

  it("accepts an Authorization header instead of a ticket, if the credential holds events:read", async () => {
    const user = await createUser();
    socketFrom(await upgrade({ token: user.accessToken }));
    const reader = await createApiKey(user, ["events:read"]);
    socketFrom(await upgrade({ token: reader.secret }));

    const writer = await createApiKey(user, ["account:read"]);
    const refused = await upgrade({ token: writer.secret });
    expect(refused.status).toBe(403);
    expect((await json<{ error: { code: string } }>(refused)).error.code).toBe("insufficient_scope");
  });

  it("refuses a ticket's second use with 401 ticket_used", async () => {
    const user = await createUser();
    const ticket = await ticketFor(user);
    socketFrom(await upgrade({ ticket }));
    const again = await upgrade({ ticket });
    expect(again.status).toBe(401);
    expect(again.headers.get("x-request-id")).toBeTruthy();
    expect(await again.json()).toEqual({ error: { code: "ticket_used", message: expect.any(String), details: null } });
  });

  it("refuses forged, tampered and expired tickets with 401", async () => {
    const user = await createUser();
    const sign = async (claims: Record<string, unknown>, secret = env.JWT_SECRET) => {
      const payload = toBase64Url(utf8.encode(JSON.stringify(claims)));
      return `${payload}.${await hmacSign(`${secret}:hub-ticket`, payload)}`;
    };
    const cred = { type: "session", id: user.sessionId };
    const fresh = { sub: user.id, nonce: crypto.randomUUID(), exp: Date.now() + 60_000, cred };
    const good = await ticketFor(user);
    const [payload, signature] = good.split(".");
    const tickets = [
      "not-a-ticket",
      `${payload}.${signature!.slice(0, -2)}AA`,
      await sign(fresh, "some-other-secret"),
      await sign({ ...fresh, exp: Date.now() - 1_000 }),
    ];
    for (const ticket of tickets) {
      const res = await upgrade({ ticket });
      expect(res.status, ticket).toBe(401);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("invalid_ticket");
    }
    // The signing recipe above is the real one: the same claims, unexpired, connect.
    socketFrom(await upgrade({ ticket: await sign(fresh) }));
  });

  it("answers 401 without a ticket or credential and 426 to a plain GET", async () => {
    const anonymous = await upgrade();
    expect(anonymous.status).toBe(401);
    expect((await json<{ error: { code: string } }>(anonymous)).error.code).toBe("missing_credentials");

    const user = await createUser();
    const plain = await call(`/api/v1/ws?ticket=${encodeURIComponent(await ticketFor(user))}`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("upgrade")).toBe("websocket");
    expect((await json<{ error: { code: string } }>(plain)).error.code).toBe("upgrade_required");
  });

  it("refuses a malformed topic list or last_event_id with 400", async () => {
    const user = await createUser();
    const queries: Record<string, string>[] = [
      { topics: "Not A Topic" },
      { last_event_id: "-1" },
      { last_event_id: "x" },
    ];
    for (const query of queries) {
      const res = await upgrade({ token: user.accessToken, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("validation_failed");
    }
  });

  it("never writes the ticket into the logs", async () => {
    const user = await createUser();
    const ticket = await ticketFor(user);
    const log = vi.spyOn(console, "log");
    try {
      socketFrom(await upgrade({ ticket }));
      await upgrade({ ticket });
      const lines = log.mock.calls.map((args) => args.join(" "));
      expect(lines.some((line) => line.includes('"route":"/api/v1/ws"'))).toBe(true);
      expect(lines.filter((line) => line.includes(ticket))).toEqual([]);
    } finally {
      log.mockRestore();
    }
  });
});

describe("fan-out", () => {
  it("delivers each of a user's events to all their sockets and to no other user's", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const alices = [
      (await connected(alice)).socket,
      (await connected(alice)).socket,
      socketFrom(await upgrade({ token: alice.accessToken })),
    ];
    const bobs = (await connected(bob)).socket;

    const key = await createApiKey(alice, ["account:read"]);
    const message = await publishMessage(alice, "hello, all of me");
    for (const socket of alices) {
      const created = await socket.nextEvent("apikey.created");
      expect(created.data).toMatchObject({ id: key.key.id, prefix: key.key.prefix, scopes: ["account:read"] });
      expect(await socket.nextEvent("user.message")).toEqual(message);
    }

    await bobs.sync();
    expect(bobs.events()).toEqual([]);
    const recent = await json<{ items: { type: string }[] }>(await call("/api/v1/events", { token: bob.accessToken }));
    expect(recent.items.map((event) => event.type)).not.toContain("user.message");

    const bobsOwn = await publishMessage(bob, "just me");
    expect(await bobs.nextEvent("user.message")).toEqual(bobsOwn);
    for (const socket of alices) {
      await socket.sync();
      expect(socket.events().map((event) => event.id)).toEqual([alices[0]!.events()[0]!.id, message.id]);
    }
  });
});

describe("topics", () => {
  it("filters events by subscribe and unsubscribe frames, per socket", async () => {
    const user = await createUser();
    const { socket: picky } = await connected(user);
    const { socket: everything } = await connected(user);

    picky.send({ type: "unsubscribe", topics: ["*"] });
    expect(await picky.nextOfType("unsubscribed")).toEqual({ type: "unsubscribed", topics: [] });
    picky.send({ type: "subscribe", topics: ["apikey"] });
    expect(await picky.nextOfType("subscribed")).toEqual({ type: "subscribed", topics: ["apikey"] });

    await publishMessage(user, "not for the picky socket");
    await createApiKey(user, ["account:read"]);
    await picky.nextEvent("apikey.created");
    expect(picky.events().map((event) => event.type)).toEqual(["apikey.created"]);
    await everything.nextEvent("apikey.created");
    expect(everything.events().map((event) => event.type)).toEqual(["user.message", "apikey.created"]);

    // An exact type works as a topic too; unsubscribing a topic stops its events.
    picky.send({ type: "subscribe", topics: ["user.message"] });
    await picky.nextOfType("subscribed");
    picky.send({ type: "unsubscribe", topics: ["apikey"] });
    expect(await picky.nextOfType("unsubscribed")).toEqual({ type: "unsubscribed", topics: ["user.message"] });
    await createApiKey(user, ["account:read"]);
    const wanted = await publishMessage(user, "now wanted");
    expect(await picky.nextEvent("user.message")).toEqual(wanted);
    expect(picky.events().map((event) => event.type)).toEqual(["apikey.created", "user.message"]);
  });

  it("filters by the topics given on the connect URL", async () => {
    const user = await createUser();
    const { socket } = await connected(user, { topics: "apikey" });
    await publishMessage(user, "filtered out");
    await createApiKey(user, ["account:read"]);
    await socket.nextEvent("apikey.created");
    expect(socket.events().map((event) => event.type)).toEqual(["apikey.created"]);
  });

  it("refuses bad topic names and more topics than a connection may hold", async () => {
    const user = await createUser();
    const max = CONFIG_REGISTRY.hub_limits.default.max_topics_per_connection;
    const topics = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(",");
    const tooMany = await upgrade({ token: user.accessToken, query: { topics: topics(max + 1) } });
    expect(tooMany.status).toBe(400);
    expect((await json<{ error: { code: string } }>(tooMany)).error.code).toBe("too_many_topics");
    socketFrom(await upgrade({ token: user.accessToken, query: { topics: topics(max) } }));

    const { socket } = await connected(user);
    socket.send({ type: "subscribe", topics: ["Bad Topic!"] });
    expect(await socket.next(isError)).toMatchObject({ code: "bad_frame" });
    const many = Array.from(
      { length: CONFIG_REGISTRY.hub_limits.default.max_topics_per_connection + 1 },
      (_, i) => `t${i}`,
    );
    socket.send({ type: "subscribe", topics: many });
    expect(await socket.next(isError)).toMatchObject({ code: "too_many_topics" });
    socket.send({ type: "unsubscribe", topics: ["*"] });
    expect(await socket.nextOfType("unsubscribed")).toEqual({ type: "unsubscribed", topics: [] });
  });
});

describe("client frames", () => {
  it("answers bad frames with an error frame and keeps the socket open", async () => {
    const user = await createUser();
    const { socket } = await connected(user);
    const bad: Array<string | ArrayBuffer> = [
      "{not json",
      JSON.stringify({ type: "shout", text: "hi" }),
      JSON.stringify({ type: "resume" }),
      JSON.stringify({ type: "subscribe", topics: "apikey" }),
      JSON.stringify({ type: "ping", pad: "x".repeat(MAX_CLIENT_FRAME_BYTES) }),
      // Under the limit in UTF-16 code units, over it in bytes.
      JSON.stringify({ type: "ping", pad: "é".repeat(MAX_CLIENT_FRAME_BYTES / 2 + 10) }),
      new TextEncoder().encode('{"type":"ping"}').buffer as ArrayBuffer,
    ];
    for (const frame of bad) {
      socket.ws.send(frame);
      expect(await socket.next(), String(frame).slice(0, 40)).toMatchObject({ type: "error", code: "bad_frame" });
    }
    await socket.sync();
    expect(socket.closed).toBe(false);
    const event = await publishMessage(user, "still listening");
    expect(await socket.nextEvent("user.message")).toEqual(event);
  });

  it("answers ping with pong, both the runtime's canned reply and the hub's own", async () => {
    const user = await createUser();
    const { socket } = await connected(user);
    socket.send('{"type":"ping"}');
    expect(await socket.next()).toEqual({ type: "pong" });
    socket.send('{ "type": "ping" }');
    const pong = await socket.next();
    expect(pong).toMatchObject({ type: "pong" });
    expect(Date.parse(String(pong.ts))).not.toBeNaN();
  });
});

describe("replay", () => {
  it("replays exactly the missed events, in order, on reconnect with last_event_id", async () => {
    const user = await createUser();
    const first = await connected(user);
    const seen = await publishMessage(user, "seen");
    await first.socket.nextEvent("user.message");
    first.socket.close();

    const missed = [];
    for (const text of ["one", "two", "three"]) missed.push(await publishMessage(user, text));
    const { socket } = await connected(user, { last_event_id: String(seen.id) });
    const replayed = await socket.nextOfType("replayed");
    expect(socket.frames.filter((frame) => frame.type === "replay_gap")).toEqual([]);
    expect(socket.events()).toEqual(missed);
    expect(replayed).toEqual({ type: "replayed", count: 3, last_event_id: missed[2]!.id });

    const live = await publishMessage(user, "live again");
    expect(await socket.nextEvent("user.message")).toEqual(live);

    const upToDate = await connected(user, { last_event_id: String(live.id) });
    expect(await upToDate.socket.nextOfType("replayed")).toEqual({
      type: "replayed",
      count: 0,
      last_event_id: live.id,
    });
    expect(upToDate.socket.events()).toEqual([]);
  });

  it("replays on a resume frame too, only the topics the socket holds", async () => {
    const user = await createUser();
    const { socket } = await connected(user, { topics: "user.message" });
    const start = (await publishMessage(user, "before")).id;
    await createApiKey(user, ["account:read"]);
    const after = [await publishMessage(user, "a"), await publishMessage(user, "b")];
    await socket.nextEvent("user.message");
    await socket.nextEvent("user.message");
    await socket.nextEvent("user.message");

    socket.send({ type: "resume", last_event_id: start });
    const done = await socket.nextOfType("replayed");
    expect(socket.events().slice(3)).toEqual(after);
    expect(done).toEqual({ type: "replayed", count: 2, last_event_id: after[1]!.id });
  });

  it("keeps a bounded buffer: replay from 0 reports the gap, then sends only the newest events", async () => {
    await setHubLimits({ replay_buffer_size: 10 });
    const user = await createUser();
    const published = [];
    for (let i = 0; i < 15; i++) published.push(await publishMessage(user, `message ${i}`));
    const kept = published.slice(-10);

    const { socket } = await connected(user, { last_event_id: "0" });
    const done = await socket.nextOfType("replayed");
    expect(socket.frames.find((frame) => frame.type === "replay_gap")).toEqual({
      type: "replay_gap",
      requested_after: 0,
      oldest_available: kept[0]!.id,
    });
    expect(socket.events()).toEqual(kept);
    expect(done).toEqual({ type: "replayed", count: 10, last_event_id: kept[9]!.id });

    const recent = await json<{ items: unknown[] }>(await call("/api/v1/events?after=0", { token: user.accessToken }));
    expect(recent.items).toEqual(kept);
  });
});

describe("limits", () => {
  it("refuses a user's connection past max_connections_per_user with 429 until one closes", async () => {
    await setHubLimits({ max_connections_per_user: 2 });
    const user = await createUser();
    const other = await createUser();
    const { socket: one } = await connected(user);
    await connected(user);

    const third = await upgrade({ ticket: await ticketFor(user) });
    expect(third.status).toBe(429);
    expect(third.headers.get("x-request-id")).toBeTruthy();
    expect((await json<{ error: { code: string } }>(third)).error.code).toBe("too_many_connections");
    // The limit is per user: someone else still connects.
    await connected(other);

    one.close();
    await vi.waitFor(
      async () => {
        const res = await upgrade({ ticket: await ticketFor(user) });
        socketFrom(res);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe("hibernation", () => {
  it("keeps sockets and their subscriptions across eviction and delivers the next event", async () => {
    const user = await createUser();
    const { socket } = await connected(user, { topics: "user.message" });
    const hub = hubOf(user);
    await runInDurableObject(hub, (instance) => {
      (instance as unknown as { marker?: string }).marker = "before eviction";
    });

    await evictDurableObject(hub);
    await createApiKey(user, ["account:read"]);
    const event = await publishMessage(user, "wake up");
    expect(await socket.nextEvent("user.message")).toEqual(event);
    expect(socket.events()).toEqual([event]);
    expect(
      await runInDurableObject(hub, (instance) => (instance as unknown as { marker?: string }).marker),
    ).toBeUndefined();

    socket.send({ type: "ping" });
    expect(await socket.nextOfType("pong")).toMatchObject({ type: "pong" });
    expect(socket.closed).toBe(false);
  });

  it("keeps the replay buffer across eviction", async () => {
    const user = await createUser();
    const before = [await publishMessage(user, "one"), await publishMessage(user, "two")];
    await evictDurableObject(hubOf(user));
    const { socket, welcome } = await connected(user, { last_event_id: String(before[0]!.id - 1) });
    expect(welcome.last_event_id).toBe(before[1]!.id);
    await socket.nextOfType("replayed");
    expect(socket.events()).toEqual(before);
    expect((await publishMessage(user, "three")).id).toBe(before[1]!.id + 1);
  });
});
