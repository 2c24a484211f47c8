/**
 * The Inbetweenies protocol against the real engine and SQLite of a GraphSync
 * Durable Object, in-process: push/pull, feed paging, vector clocks, idempotent
 * retries, atomic rejection of bad batches, protocol negotiation and clock skew.
 */
import { describe, expect, it } from "vitest";
import { pullOk, pushOk, pushOutcome, ScriptedDevice, withStore } from "./testing";

const room = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });

describe("push and pull", () => {
  it("applies a device's changes in order and another device pulls the current state", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const create = a.create("kitchen", "room", room("Kitchen"));
      const update = a.update("kitchen", "room", [create.version], room("Kitchen", { floor: 1 }));
      const response = pushOk(store, a.request([create, update]));
      expect(response.results.map((r) => r.status)).toEqual(["applied", "applied"]);
      expect(response.results[1]?.version).toBe(update.version);
      expect(response.clock).toMatchObject({ phone: 2 });
      expect(response.has_more).toBe(false);

      const pulled = pullOk(store, "laptop");
      expect(pulled.items).toHaveLength(1);
      expect(pulled.items[0]).toMatchObject({
        kind: "entity",
        entity: {
          id: "kitchen",
          type: "room",
          version: update.version,
          parents: [create.version],
          content: room("Kitchen", { floor: 1 }),
        },
      });
      expect(pulled.cursor).toBe(response.cursor);
      expect(pullOk(store, "laptop", pulled.cursor).items).toEqual([]);
    }));

  it("pages a large feed with has_more and a cursor that misses nothing, even when rows change mid-way", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const creates = Array.from({ length: 25 }, (_, i) => a.create(`e${i}`, "zone", { name: `Zone ${i}` }));
      pushOk(store, a.request(creates));
      const seen = new Map<string, string>();
      let cursor = 0;
      let pages = 0;
      for (;;) {
        const page = pullOk(store, "laptop", cursor, 10);
        for (const item of page.items) if (item.kind === "entity") seen.set(item.entity.id, item.entity.version);
        cursor = page.cursor;
        pages++;
        if (pages === 1) {
          // e0 was delivered already; changing it now moves it past the cursor, so it comes again.
          const change = a.update("e0", "zone", [creates[0]!.version], { name: "Zone zero" }, "e0-renamed");
          pushOk(store, a.request([change]));
        }
        if (!page.has_more) break;
      }
      expect(pages).toBe(3);
      expect(seen.size).toBe(25);
      expect(seen.get("e0")).toBe("e0-renamed");
    }));

  it("repeats the first outcome for a retried batch and logs each change once", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const request = a.request([a.create("hall", "room", room("Hall")), a.create("den", "room", room("Den"))]);
      const first = pushOk(store, request);
      const again = pushOk(store, request);
      expect(again.results.map((r) => [r.status, r.first_status])).toEqual([
        ["duplicate", "applied"],
        ["duplicate", "applied"],
      ]);
      expect(again.results.map((r) => r.version)).toEqual(first.results.map((r) => r.version));
      const logged = store.read(
        (ctx) => ctx.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entity_changes").one().n,
      );
      expect(logged).toEqual({ ok: true, value: 2 });
      expect(again.cursor).toBe(first.cursor);
    }));

  it("refuses a reused client change id with different content (409) and changes nothing", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const create = a.create("hall", "room", room("Hall"));
      pushOk(store, a.request([create]));
      const tampered = { ...create, content: room("Not the hall") };
      const outcome = pushOutcome(store, a.request([tampered]));
      expect(outcome).toMatchObject({ ok: false, status: 409, code: "idempotency_mismatch", details: { index: 0 } });
    }));
});

describe("bad batches are refused whole", () => {
  it("an update to an unknown entity is 404 and rolls back the changes before it", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const ok = a.create("hall", "room", room("Hall"));
      const bad = a.update("ghost", "room", ["ghost-v1"], room("Ghost"));
      const outcome = pushOutcome(store, a.request([ok, bad]));
      expect(outcome).toMatchObject({
        ok: false,
        status: 404,
        code: "unknown_entity",
        details: { index: 1, id: "ghost" },
      });
      expect(pullOk(store, "laptop").items).toEqual([]);
      expect(pullOk(store, "laptop").clock).toEqual({ server: 0 });
    }));

  it("an unknown entity type is 422, bad content 400 with the issues", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      expect(pushOutcome(store, a.request([a.create("x", "spaceship", { name: "X" })]))).toMatchObject({
        ok: false,
        status: 422,
        code: "unknown_entity_type",
      });
      const bad = pushOutcome(store, a.request([a.create("y", "room", { name: "Y", floor: "first" })]));
      expect(bad).toMatchObject({ ok: false, status: 400, code: "validation_failed", details: { index: 0 } });
      expect(JSON.stringify(bad)).toContain("floor");
    }));

  it("a parent that is not a version of the entity is 404, a changed type 409", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const hall = a.create("hall", "room", room("Hall"));
      pushOk(store, a.request([hall]));
      expect(pushOutcome(store, a.request([a.update("hall", "room", ["nope"], room("Hall"))]))).toMatchObject({
        status: 404,
        code: "unknown_version",
      });
      expect(pushOutcome(store, a.request([a.update("hall", "zone", [hall.version], { name: "Hall" })]))).toMatchObject(
        {
          status: 409,
          code: "type_mismatch",
        },
      );
    }));
});

describe("negotiation and clocks", () => {
  it("answers in the highest common protocol version, and 400 when there is none", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      expect(pushOk(store, { ...a.request([]), protocol_versions: [1, 7] }).protocol_version).toBe(1);
      expect(pushOutcome(store, { ...a.request([]), protocol_versions: [7] })).toMatchObject({
        status: 400,
        code: "unsupported_protocol_version",
        details: { supported: [1] },
      });
    }));

  it("refuses changes stamped far in the future and reserved device ids", () =>
    withStore((store, clock) => {
      const skewed = new ScriptedDevice("phone", () => clock.now + 3600_000);
      expect(pushOutcome(store, skewed.request([skewed.create("a", "zone", { name: "A" })]))).toMatchObject({
        status: 400,
        code: "clock_skew",
      });
      const api = new ScriptedDevice("api", () => clock.now);
      expect(pushOutcome(store, api.request([]))).toMatchObject({ status: 400, code: "reserved_device_id" });
    }));

  it("keeps a vector clock entry per device with the highest counter integrated", () =>
    withStore((store, clock) => {
      const a = new ScriptedDevice("phone", () => clock.now);
      const b = new ScriptedDevice("laptop", () => clock.now);
      pushOk(store, a.request([a.create("a1", "zone", { name: "A" }), a.create("a2", "zone", { name: "B" })]));
      const response = pushOk(store, b.request([b.create("b1", "zone", { name: "C" })]));
      expect(response.clock).toEqual({ phone: 2, laptop: 1, server: response.cursor });
    }));
});
