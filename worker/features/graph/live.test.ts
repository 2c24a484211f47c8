/**
 * Live graph subscriptions through the Worker: one-time tickets, the upgrade at
 * /api/v1/graph/ws, `change` frames for everything, one entity or one type, the
 * subscribe/unsubscribe frames, and refusals (reused ticket, missing scope, no upgrade).
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BASE, call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";
import { type Frame, LiveSocket } from "../../../test/worker/support/live";

let alice: TestUser;
const open: LiveSocket[] = [];
beforeAll(async () => {
  alice = await createUser();
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

async function ticket(user: TestUser) {
  const res = await call("/api/v1/graph/ws/ticket", { method: "POST", token: user.accessToken });
  expect(res.status).toBe(201);
  return (await json<{ ticket: string }>(res)).ticket;
}

function upgrade(query: Record<string, string>, headers: Record<string, string> = {}) {
  const url = new URL(`${BASE}/api/v1/graph/ws`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return exports.default.fetch(new Request(url, { headers: { upgrade: "websocket", ...headers } }));
}

async function connect(user: TestUser, query: Record<string, string>) {
  const res = await upgrade({ ...query, ticket: await ticket(user) });
  if (res.status !== 101) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const socket = new LiveSocket(res.webSocket!);
  open.push(socket);
  await socket.nextOfType("welcome");
  return socket;
}

async function create(type: string, name: string) {
  const res = await call("/api/v1/graph/entities", { token: alice.accessToken, body: { type, content: { name } } });
  return json<{ id: string; version: string }>(res);
}

const changeOf = (id: string) => (frame: Frame) =>
  frame.type === "change" && (frame.item as { entity?: { id: string } }).entity?.id === id;

describe("live graph changes", () => {
  it("sends every change to a socket following all, and only matching ones to the others", async () => {
    const all = await connect(alice, { all: "true" });
    const rooms = await connect(alice, { type: "room" });
    const room = await create("room", "Pantry");
    const zone = await create("zone", "Porch");
    const frame = await all.next(changeOf(room.id));
    expect(frame).toMatchObject({
      device_id: "api",
      item: { kind: "entity", entity: { type: "room", version: room.version } },
    });
    await all.next(changeOf(zone.id));
    await rooms.next(changeOf(room.id));
    await rooms.sync();
    expect(rooms.frames.some(changeOf(zone.id))).toBe(false);

    const one = await connect(alice, { entity: zone.id });
    await call(`/api/v1/graph/entities/${zone.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { patch: { description: "x" } },
    });
    expect(await one.next(changeOf(zone.id))).toMatchObject({
      item: { entity: { content: { name: "Porch", description: "x" } } },
    });
  });

  it("follows and unfollows with subscribe frames and answers bad frames with an error frame", async () => {
    const socket = await connect(alice, {});
    const lamp = await create("device", "Lamp");
    socket.send({ type: "subscribe", entities: [lamp.id] });
    expect(await socket.nextOfType("subscribed")).toMatchObject({ subscriptions: { entities: [lamp.id], all: false } });
    await call(`/api/v1/graph/entities/${lamp.id}`, { method: "DELETE", token: alice.accessToken });
    expect(await socket.next(changeOf(lamp.id))).toMatchObject({ item: { entity: { deleted: true } } });
    socket.send({ type: "unsubscribe", entities: [lamp.id] });
    await socket.nextOfType("subscribed");
    socket.send("{not json");
    expect(await socket.nextOfType("error")).toMatchObject({ code: "bad_frame" });
    socket.send({ type: "subscribe", entities: ["bad id!"] });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "bad_frame" });
  });

  it("refuses a reused ticket, a caller without graph:read, and requests without an upgrade", async () => {
    const used = await ticket(alice);
    const first = await upgrade({ ticket: used });
    expect(first.status).toBe(101);
    open.push(new LiveSocket(first.webSocket!));
    await expectError(await upgrade({ ticket: used }), 401, "ticket_used");
    await expectError(await upgrade({ ticket: "forged.sig" }), 401, "invalid_ticket");
    const eventsOnly = await createApiKey(alice, ["events:read"]);
    await expectError(await upgrade({}, { "x-api-key": eventsOnly.secret }), 403, "insufficient_scope");
    await expectError(await call("/api/v1/graph/ws", { token: alice.accessToken }), 426, "upgrade_required");
    await expectError(await upgrade({ entity: "bad id!", ticket: await ticket(alice) }), 400, "validation_failed");
  });

  it("closes the sockets of a credential that ended, and only those", async () => {
    const byKey = await createApiKey(alice, ["graph:read"]);
    const keyRes = await upgrade({ all: "true" }, { "x-api-key": byKey.secret });
    const keySocket = new LiveSocket(keyRes.webSocket!);
    open.push(keySocket);
    await keySocket.nextOfType("welcome");
    const sessionSocket = await connect(alice, { all: "true" });
    const closed = await env.GRAPH_SYNC.getByName(alice.id).disconnect(
      { type: "api_key", id: byKey.key.id },
      "api_key_revoked",
    );
    expect(closed).toBe(1);
    expect(await keySocket.closedByServer()).toEqual({ code: 1008, reason: "api_key_revoked" });
    await sessionSocket.sync();
    expect(sessionSocket.closed).toBe(false);
  });

  it("closes a graph socket when its login session ends (logout) or its key is revoked", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["graph:read"]);
    const keyRes = await upgrade({ all: "true" }, { "x-api-key": key.secret });
    const keySocket = new LiveSocket(keyRes.webSocket!);
    open.push(keySocket);
    await keySocket.nextOfType("welcome");
    const sessionSocket = await connect(user, { all: "true" });

    const revoked = await call(`/api/v1/keys/${key.key.id}`, { method: "DELETE", token: user.accessToken });
    expect(revoked.status).toBeLessThan(300);
    expect((await keySocket.closedByServer()).code).toBe(1008);
    await sessionSocket.sync();
    expect(sessionSocket.closed).toBe(false);

    const loggedOut = await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    expect(loggedOut.status).toBeLessThan(300);
    expect((await sessionSocket.closedByServer()).code).toBe(1008);
  });

  it("never sends one user's changes to another user's socket", async () => {
    const bob = await createUser();
    const bobs = await connect(bob, { all: "true" });
    const secret = await create("note", "alice's secret");
    await bobs.sync();
    expect(bobs.frames.some(changeOf(secret.id))).toBe(false);
  });
});
