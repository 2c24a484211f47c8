/**
 * /api/v1/graph through the Worker's public fetch handler with real users, keys,
 * the GraphSync Durable Object and R2: the sync protocol over HTTP, REST writes
 * with their 400/404/409/422 answers, traversal and search, conflicts,
 * attachments, scopes, and another user's ids.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { EntityState, PushResponse } from "../../../shared/graph-sync/protocol";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";

let alice: TestUser;
beforeAll(async () => {
  alice = await createUser();
});

async function create(user: TestUser, type: string, content: Record<string, unknown>, id?: string) {
  const res = await call("/api/v1/graph/entities", { token: user.accessToken, body: { id, type, content } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<EntityState>(res);
}

const hlc = (ms: number, node: string) => `${String(ms).padStart(15, "0")}:000000:${node}`;

describe("sync over HTTP", () => {
  it("pushes a device's batch and pulls it on another device; a retry is a duplicate", async () => {
    const now = Date.now();
    const body = {
      protocol_versions: [1],
      device_id: "phone-1",
      clock: { "phone-1": 1 },
      cursor: 0,
      changes: [
        {
          op: "upsert",
          client_change_id: "c1",
          counter: 1,
          hlc: hlc(now, "phone-1"),
          entity_id: `hall-${now}`,
          entity_type: "room",
          version: `hall-v1-${now}`,
          parents: [],
          content: { name: "Hall" },
        },
      ],
    };
    const first = await call("/api/v1/graph/sync/push", { token: alice.accessToken, body });
    expect(first.status).toBe(200);
    const pushed = await json<PushResponse>(first);
    expect(pushed.results[0]).toMatchObject({ status: "applied", version: `hall-v1-${now}` });
    const again = await json<PushResponse>(await call("/api/v1/graph/sync/push", { token: alice.accessToken, body }));
    expect(again.results[0]).toMatchObject({ status: "duplicate", first_status: "applied" });

    const pull = await call("/api/v1/graph/sync/pull", {
      token: alice.accessToken,
      body: { protocol_versions: [1], device_id: "laptop-1", cursor: 0 },
    });
    const pulled = await json<PushResponse>(pull);
    expect(pulled.items.some((item) => item.kind === "entity" && item.entity.id === `hall-${now}`)).toBe(true);
    expect(pulled.clock["phone-1"]).toBe(1);
  });

  it("answers 400 for a malformed batch, 422 for an unknown type, 400 for an unsupported protocol", async () => {
    const base = { protocol_versions: [1], device_id: "d", clock: {}, cursor: 0 };
    await expectError(
      await call("/api/v1/graph/sync/push", {
        token: alice.accessToken,
        body: { ...base, changes: [{ op: "upsert" }] },
      }),
      400,
      "validation_failed",
    );
    const unknownType = {
      op: "upsert",
      client_change_id: "x",
      counter: 1,
      hlc: hlc(Date.now(), "d"),
      entity_id: "x",
      entity_type: "spaceship",
      version: "x1",
      parents: [],
      content: { name: "X" },
    };
    const refused = await expectError(
      await call("/api/v1/graph/sync/push", { token: alice.accessToken, body: { ...base, changes: [unknownType] } }),
      422,
      "unknown_entity_type",
    );
    expect(refused.error.details).toMatchObject({ index: 0, client_change_id: "x" });
    await expectError(
      await call("/api/v1/graph/sync/pull", {
        token: alice.accessToken,
        body: { ...base, protocol_versions: [9], clock: undefined },
      }),
      400,
    );
    const info = await json<{ protocol_versions: number[]; entity_types: { type: string; strategy: string }[] }>(
      await call("/api/v1/graph/sync/info", { token: alice.accessToken }),
    );
    expect(info.protocol_versions).toEqual([1]);
    expect(info.entity_types).toContainEqual({ type: "note", strategy: "manual" });
  });
});

describe("entities over REST", () => {
  it("creates, patches, guards with base_version (409 with the current entity), deletes, and keeps history", async () => {
    const lamp = await create(alice, "device", { name: "Desk lamp", category: "light" });
    const patch = await call(`/api/v1/graph/entities/${lamp.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { patch: { manufacturer: "Acme" }, base_version: lamp.version },
    });
    const patched = await json<EntityState>(patch);
    expect(patched.content).toEqual({ name: "Desk lamp", category: "light", manufacturer: "Acme" });
    expect(patched.parents).toEqual([lamp.version]);

    const stale = await call(`/api/v1/graph/entities/${lamp.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { patch: { model: "X1" }, base_version: lamp.version },
    });
    const conflict = await expectError(stale, 409, "version_conflict");
    expect(conflict.error.details).toMatchObject({
      current_version: patched.version,
      current: { content: patched.content },
    });

    const deleted = await call(`/api/v1/graph/entities/${lamp.id}`, { method: "DELETE", token: alice.accessToken });
    expect(await json<EntityState>(deleted)).toMatchObject({ deleted: true, content: null });
    const history = await json<{ items: { version: string; current: boolean; source_type: string }[] }>(
      await call(`/api/v1/graph/entities/${lamp.id}/history`, { token: alice.accessToken }),
    );
    expect(history.items).toHaveLength(3);
    expect(history.items[0]).toMatchObject({ current: true, source_type: "api" });
    expect(history.items[2]?.version).toBe(lamp.version);
  });

  it("answers 404 for an unknown entity, 422 for an unknown type and 400 for content that does not fit", async () => {
    await expectError(await call("/api/v1/graph/entities/nope", { token: alice.accessToken }), 404, "unknown_entity");
    await expectError(
      await call("/api/v1/graph/entities", {
        token: alice.accessToken,
        body: { type: "dragon", content: { name: "D" } },
      }),
      422,
      "unknown_entity_type",
    );
    const bad = await expectError(
      await call("/api/v1/graph/entities", { token: alice.accessToken, body: { type: "room", content: { name: "" } } }),
      400,
      "validation_failed",
    );
    expect(JSON.stringify(bad.error.details)).toContain("name");
  });

  it("searches by type and text, and walks neighbours and paths", async () => {
    const tag = `t${Date.now()}`;
    const home = await create(alice, "home", { name: `Home ${tag}` });
    const kitchen = await create(alice, "room", { name: `Kitchen ${tag}`, description: "tiled floor" });
    const kettle = await create(alice, "device", { name: `Kettle ${tag}`, category: "appliance" });
    for (const [from, to, type] of [
      [kitchen.id, home.id, "located_in"],
      [kettle.id, kitchen.id, "located_in"],
    ] as const) {
      const res = await call("/api/v1/graph/relationships", {
        token: alice.accessToken,
        body: { from_id: from, to_id: to, type },
      });
      expect(res.status).toBe(201);
    }
    const found = await json<{ items: EntityState[] }>(
      await call(`/api/v1/graph/entities?q=${tag}%20tiled`, { token: alice.accessToken }),
    );
    expect(found.items.map((e) => e.id)).toEqual([kitchen.id]);
    const devices = await json<{ items: EntityState[] }>(
      await call(`/api/v1/graph/entities?type=device&q=${tag}`, { token: alice.accessToken }),
    );
    expect(devices.items.map((e) => e.id)).toEqual([kettle.id]);

    const around = await json<{ neighbours: { direction: string; entity: EntityState }[] }>(
      await call(`/api/v1/graph/entities/${kitchen.id}/neighbours`, { token: alice.accessToken }),
    );
    expect(around.neighbours.map((n) => [n.direction, n.entity.id]).sort()).toEqual(
      [
        ["in", kettle.id],
        ["out", home.id],
      ].sort(),
    );
    const paths = await json<{ paths: { length: number; entities: string[] }[] }>(
      await call(`/api/v1/graph/paths?from=${kettle.id}&to=${home.id}&direction=out&types=located_in`, {
        token: alice.accessToken,
      }),
    );
    expect(paths.paths).toEqual([expect.objectContaining({ length: 2, entities: [kettle.id, kitchen.id, home.id] })]);
    const none = await json<{ paths: unknown[] }>(
      await call(`/api/v1/graph/paths?from=${kettle.id}&to=${home.id}&max_depth=1`, { token: alice.accessToken }),
    );
    expect(none.paths).toEqual([]);
  });
});

describe("a __proto__ key in content", () => {
  const send = (path: string, rawBody: string, method = "POST") =>
    call(path, { token: alice.accessToken, method, rawBody, headers: { "content-type": "application/json" } });
  const entities = async (tag: string) =>
    (await json<{ items: EntityState[] }>(await call(`/api/v1/graph/entities?q=${tag}`, { token: alice.accessToken })))
      .items;

  it("is refused with 400 wherever it sits, and nothing is written", async () => {
    const tag = `p${Date.now()}`;
    for (const content of [
      `{"name":"Lamp ${tag}","attributes":{"__proto__":"evil","colour":"red"}}`,
      `{"name":"Lamp ${tag}","__proto__":{"polluted":true}}`,
      `{"name":"Lamp ${tag}","state":{"__proto__":{"on":true}}}`,
    ]) {
      const res = await send("/api/v1/graph/entities", `{"type":"device","content":${content}}`);
      const refused = await expectError(res, 400, "validation_failed");
      expect(JSON.stringify(refused.error)).toContain("__proto__");
    }
    expect(await entities(tag)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const lamp = await create(alice, "device", { name: `Lamp ${tag}`, attributes: { colour: "red" } });
    const patch = await send(
      `/api/v1/graph/entities/${lamp.id}`,
      `{"patch":{"attributes":{"__proto__":"x"}},"base_version":"${lamp.version}"}`,
      "PATCH",
    );
    await expectError(patch, 400, "validation_failed");
    const other = await create(alice, "room", { name: `Room ${tag}` });
    const link = await send(
      "/api/v1/graph/relationships",
      `{"from_id":"${lamp.id}","to_id":"${other.id}","type":"located_in","properties":{"__proto__":"x"}}`,
    );
    await expectError(link, 400, "validation_failed");
    const [current] = (await entities(tag)).filter((entity) => entity.id === lamp.id);
    expect(current).toMatchObject({ version: lamp.version, content: { attributes: { colour: "red" } } });
  });

  it("is refused in a synced change too (400 with the change's index), and the batch applies nothing", async () => {
    const now = Date.now();
    const change = (id: string, content: string, counter: number) =>
      `{"op":"upsert","client_change_id":"${id}","counter":${counter},"hlc":"${hlc(now, "proto-dev")}",` +
      `"entity_id":"${id}-${now}","entity_type":"device","version":"${id}-v1-${now}","parents":[],"content":${content}}`;
    const body =
      `{"protocol_versions":[1],"device_id":"proto-dev","clock":{"proto-dev":2},"cursor":0,"changes":[` +
      `${change("fine", `{"name":"Fine ${now}"}`, 1)},` +
      `${change("evil", `{"name":"Evil ${now}","attributes":{"__proto__":"x"}}`, 2)}]}`;
    const refused = await expectError(await send("/api/v1/graph/sync/push", body), 400, "validation_failed");
    expect(refused.error.details).toMatchObject({ index: 1, client_change_id: "evil" });
    for (const id of [`fine-${now}`, `evil-${now}`]) {
      await expectError(
        await call(`/api/v1/graph/entities/${id}`, { token: alice.accessToken }),
        404,
        "unknown_entity",
      );
    }
  });

  it("is refused at the top of a synced change's content too (400), and nothing is applied", async () => {
    const now = Date.now();
    const body =
      `{"protocol_versions":[1],"device_id":"proto-top","clock":{"proto-top":1},"cursor":0,"changes":[` +
      `{"op":"upsert","client_change_id":"top","counter":1,"hlc":"${hlc(now, "proto-top")}",` +
      `"entity_id":"top-${now}","entity_type":"device","version":"top-v1-${now}","parents":[],` +
      `"content":{"name":"Top ${now}","__proto__":{"polluted":true}}}]}`;
    await expectError(await send("/api/v1/graph/sync/push", body), 400, "validation_failed");
    await expectError(
      await call(`/api/v1/graph/entities/top-${now}`, { token: alice.accessToken }),
      404,
      "unknown_entity",
    );
  });

  it("keeps other keys that name Object members (constructor, toString) as data", async () => {
    const tag = `c${Date.now()}`;
    const res = await send(
      "/api/v1/graph/entities",
      `{"type":"device","content":{"name":"Hub ${tag}","attributes":{"constructor":"kept","toString":"also"}}}`,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await json<EntityState>(res)).content).toMatchObject({
      attributes: { constructor: "kept", toString: "also" },
    });
  });
});

describe("attachments", () => {
  it("stores bytes in R2 with their SHA-256 and streams them back", async () => {
    const manual = await create(alice, "manual", { name: "Boiler manual" });
    const bytes = new TextEncoder().encode("%PDF-1.7 pretend");
    const data_base64 = btoa(String.fromCharCode(...bytes));
    const res = await call(`/api/v1/graph/entities/${manual.id}/attachments`, {
      token: alice.accessToken,
      body: { file_name: "boiler.pdf", content_type: "application/pdf", data_base64 },
    });
    const attachment = await json<{ id: string; checksum: string; size: number; entity_version: string }>(res);
    expect(res.status).toBe(201);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect(attachment).toMatchObject({
      size: bytes.length,
      checksum: `sha256:${digest}`,
      entity_version: manual.version,
    });

    const download = await call(`/api/v1/graph/attachments/${attachment.id}`, { token: alice.accessToken });
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("etag")).toBe(`"${digest}"`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);

    const listed = await json<{ items: { id: string }[] }>(
      await call(`/api/v1/graph/entities/${manual.id}/attachments`, { token: alice.accessToken }),
    );
    expect(listed.items.map((a) => a.id)).toEqual([attachment.id]);
    const removed = await call(`/api/v1/graph/attachments/${attachment.id}`, {
      method: "DELETE",
      token: alice.accessToken,
    });
    expect(await json(removed)).toMatchObject({ deleted: true });
    await expectError(await call(`/api/v1/graph/attachments/${attachment.id}`, { token: alice.accessToken }), 404);
  });

  it("refuses an attachment for an unknown entity without leaving bytes behind", async () => {
    const res = await call("/api/v1/graph/entities/nobody/attachments", {
      token: alice.accessToken,
      body: { file_name: "a.txt", data_base64: btoa("hi") },
    });
    await expectError(res, 404, "unknown_entity");
  });
});

describe("scopes and tenants", () => {
  it("lets a graph:read key read but not write, and keeps users' graphs apart", async () => {
    const mine = await create(alice, "zone", { name: "Garden" });
    const reader = await createApiKey(alice, ["graph:read"]);
    expect((await call(`/api/v1/graph/entities/${mine.id}`, { apiKey: reader.secret })).status).toBe(200);
    await expectError(
      await call("/api/v1/graph/entities", { apiKey: reader.secret, body: { type: "zone", content: { name: "No" } } }),
      403,
      "insufficient_scope",
    );
    const bob = await createUser();
    await expectError(
      await call(`/api/v1/graph/entities/${mine.id}`, { token: bob.accessToken }),
      404,
      "unknown_entity",
    );
    const bobs = await json<{ items: unknown[] }>(await call("/api/v1/graph/entities", { token: bob.accessToken }));
    expect(bobs.items).toEqual([]);
  });
});
