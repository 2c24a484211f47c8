/**
 * POST /api/v1/events (publish to your own feed) and GET /api/v1/events (the
 * replay buffer for polling clients): validation, size limit, scopes, isolation.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, call, createApiKey, createUser, json } from "../../../test/worker/support/api";
import type { HubEvent } from "./catalog";

type ErrorBody = { error: { code: string; message: string; details: unknown } };
type Recent = { items: HubEvent[]; last_event_id: number };

const publish = (token: string, body: unknown) => call("/api/v1/events", { token, body });

describe("POST /api/v1/events", () => {
  it("publishes a user event and returns it with the next id", async () => {
    const user = await createUser();
    const { last_event_id } = await json<Recent>(await call("/api/v1/events", { token: user.accessToken }));
    const res = await publish(user.accessToken, { type: "user.message", data: { text: "hello" } });
    expect(res.status).toBe(201);
    const { event } = await json<{ event: HubEvent }>(res);
    expect(event).toEqual({
      id: last_event_id + 1,
      type: "user.message",
      ts: expect.any(String),
      data: { text: "hello" },
    });
    expect(Math.abs(Date.parse(event.ts) - Date.now())).toBeLessThan(60_000);

    const custom = await publish(user.accessToken, {
      type: "user.custom",
      data: { anything: [1, 2], nested: { a: 1 } },
    });
    expect(custom.status).toBe(201);
    expect((await json<{ event: HubEvent }>(custom)).event).toMatchObject({
      id: event.id + 1,
      data: { anything: [1, 2], nested: { a: 1 } },
    });
  });

  it("refuses unknown and platform-only types, bad data and malformed JSON with 400", async () => {
    const user = await createUser();
    const bodies = [
      { type: "user.shout", data: { text: "hi" } },
      { type: "apikey.created", data: { id: "x", name: "x", prefix: "x", scopes: [] } },
      { type: "system.notice", data: { level: "critical", message: "fake outage" } },
      { type: "user.message", data: { text: "" } },
      { type: "user.message", data: { text: 42 } },
      { type: "user.message", data: { text: "x".repeat(4001) } },
      { type: "user.message" },
      { type: "user.custom", data: ["not", "a", "record"] },
      { data: { text: "no type" } },
      "just a string",
    ];
    for (const body of bodies) {
      const res = await publish(user.accessToken, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await json<ErrorBody>(res);
      expect(error.code).toBe("validation_failed");
      expect(Array.isArray(error.details)).toBe(true);
    }
    const malformed = await call("/api/v1/events", {
      token: user.accessToken,
      rawBody: '{"type":"user.message",',
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);

    const recent = await json<Recent>(await call("/api/v1/events", { token: user.accessToken }));
    expect(recent.items.map((event) => event.type)).toEqual(["auth.login"]);
  });

  it("refuses a body over 16 KiB with 413 and publishes nothing", async () => {
    const user = await createUser();
    const big = await publish(user.accessToken, { type: "user.custom", data: { blob: "x".repeat(16 * 1024) } });
    expect(big.status).toBe(413);
    expect((await json<ErrorBody>(big)).error).toMatchObject({
      code: "payload_too_large",
      details: { max_bytes: 16384 },
    });

    // Just under the limit is fine.
    const body = { type: "user.custom", data: { blob: "" } };
    body.data.blob = "x".repeat(16 * 1024 - JSON.stringify(body).length);
    expect(JSON.stringify(body).length).toBe(16 * 1024);
    expect((await publish(user.accessToken, body)).status).toBe(201);

    // A streamed body carries no Content-Length; the limit still holds.
    const chunk = new TextEncoder().encode(`{"type":"user.custom","data":{"blob":"${"x".repeat(20 * 1024)}"}}`);
    const streamed = await exports.default.fetch(
      new Request(`${BASE}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(chunk);
            controller.close();
          },
        }),
      }),
    );
    expect(streamed.status).toBe(413);

    const recent = await json<Recent>(await call("/api/v1/events", { token: user.accessToken }));
    expect(recent.items.map((event) => event.type)).toEqual(["auth.login", "user.custom"]);
  });

  it("needs events:write: a key without it, or a viewer, gets 403", async () => {
    const user = await createUser();
    const reader = await createApiKey(user, ["events:read"]);
    const denied = await call("/api/v1/events", {
      apiKey: reader.secret,
      body: { type: "user.message", data: { text: "x" } },
    });
    expect(denied.status).toBe(403);
    expect((await json<ErrorBody>(denied)).error).toMatchObject({
      code: "insufficient_scope",
      details: { missing: ["events:write"] },
    });

    const writer = await createApiKey(user, ["events:write"]);
    const allowed = await call("/api/v1/events", {
      apiKey: writer.secret,
      body: { type: "user.message", data: { text: "x" } },
    });
    expect(allowed.status).toBe(201);
    // …but reading the buffer needs events:read, which that key lacks.
    expect((await call("/api/v1/events", { apiKey: writer.secret })).status).toBe(403);

    const viewer = await createUser({ role: "viewer" });
    expect((await publish(viewer.accessToken, { type: "user.message", data: { text: "x" } })).status).toBe(403);
    expect((await call("/api/v1/events", { token: viewer.accessToken })).status).toBe(200);
  });

  it("needs credentials", async () => {
    const res = await call("/api/v1/events", { body: { type: "user.message", data: { text: "x" } } });
    expect(res.status).toBe(401);
    expect((await call("/api/v1/events")).status).toBe(401);
  });
});

describe("GET /api/v1/events", () => {
  it("returns the buffer after an id, oldest first, with the latest id", async () => {
    const user = await createUser();
    const published: HubEvent[] = [];
    for (const text of ["a", "b", "c", "d"]) {
      const res = await publish(user.accessToken, { type: "user.message", data: { text } });
      published.push((await json<{ event: HubEvent }>(res)).event);
    }
    const latest = published[3]!.id;

    const all = await json<Recent>(await call("/api/v1/events?after=0", { token: user.accessToken }));
    expect(all.last_event_id).toBe(latest);
    expect(all.items.slice(-4)).toEqual(published);
    expect(all.items[0]!.type).toBe("auth.login");

    const after = await json<Recent>(
      await call(`/api/v1/events?after=${published[1]!.id}`, { token: user.accessToken }),
    );
    expect(after).toEqual({ items: published.slice(2), last_event_id: latest });

    // limit keeps the newest of what follows `after`, still oldest first.
    const newest = await json<Recent>(await call("/api/v1/events?after=0&limit=2", { token: user.accessToken }));
    expect(newest.items).toEqual(published.slice(2));

    const none = await json<Recent>(await call(`/api/v1/events?after=${latest}`, { token: user.accessToken }));
    expect(none).toEqual({ items: [], last_event_id: latest });
  });

  it("shows only the caller's own events", async () => {
    const alice = await createUser();
    const bob = await createUser();
    await publish(alice.accessToken, { type: "user.message", data: { text: "alice's secret" } });
    const bobs = await json<Recent>(await call("/api/v1/events?after=0", { token: bob.accessToken }));
    expect(JSON.stringify(bobs)).not.toContain("alice's secret");
    expect(bobs.items.map((event) => event.type)).toEqual(["auth.login"]);
  });

  it("refuses bad query values with 400", async () => {
    const user = await createUser();
    for (const query of ["after=-1", "after=abc", "limit=0", "limit=501", "after=1.5"]) {
      const res = await call(`/api/v1/events?${query}`, { token: user.accessToken });
      expect(res.status, query).toBe(400);
      expect((await json<ErrorBody>(res)).error.code).toBe("validation_failed");
    }
  });
});
