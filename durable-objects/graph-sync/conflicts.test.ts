/**
 * Conflicts, per strategy, against the real engine in a GraphSync Durable Object:
 * field-level merge (rooms), last-writer-wins (schedules, relationships), manual
 * (notes) with resolution by API or by a write descending from both sides. Each
 * test checks that the write that did not become the state is kept.
 */
import { describe, expect, it } from "vitest";
import type { ConflictState, EntityState } from "../../shared/graph-sync/protocol";
import type { GraphStore } from "./store";
import { pullOk, pushOk, pushOutcome, ScriptedDevice, withStore } from "./testing";
import { resolveConflict } from "./writes";

function state(store: GraphStore) {
  const items = pullOk(store, "observer").items;
  const entities = new Map<string, EntityState>();
  const conflicts: ConflictState[] = [];
  for (const item of items) {
    if (item.kind === "entity") entities.set(item.entity.id, item.entity);
    if (item.kind === "conflict") conflicts.push(item.conflict);
  }
  return { entities, conflicts };
}

function devices(clock: { now: number }) {
  return [new ScriptedDevice("phone", () => clock.now), new ScriptedDevice("laptop", () => clock.now)] as const;
}

describe("merge strategy (rooms)", () => {
  it("merges fields changed on different sides against the common ancestor", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("kitchen", "room", { name: "Kitchen", floor: 0, description: "old" });
      pushOk(store, a.request([base]));
      const mine = a.update("kitchen", "room", [base.version], { name: "Kitchen", floor: 1, description: "old" });
      clock.now += 10;
      const theirs = b.update("kitchen", "room", [base.version], { name: "Kitchen", floor: 0, description: "new" });
      pushOk(store, a.request([mine]));
      const response = pushOk(store, b.request([theirs]));
      expect(response.results[0]).toMatchObject({ status: "merged" });
      const { entities, conflicts } = state(store);
      const kitchen = entities.get("kitchen")!;
      expect(kitchen.content).toEqual({ name: "Kitchen", floor: 1, description: "new" });
      expect(kitchen.parents).toEqual([mine.version, theirs.version]);
      expect(kitchen.version).toBe(response.results[0]?.version);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({
        strategy: "merge",
        resolution_status: "auto_resolved",
        local_version: theirs.version,
        remote_version: mine.version,
        base_version: base.version,
        resolved_version: kitchen.version,
        conflict_data: { clashes: [] },
      });
    }));

  it("gives a field both sides changed to the later HLC and reports the clash", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("den", "room", { name: "Den" });
      pushOk(store, a.request([base]));
      const later = a.update("den", "room", [base.version], { name: "Study" });
      clock.now -= 1000; // laptop's clock lags: its write is earlier even though it arrives last
      const earlier = b.update("den", "room", [base.version], { name: "Library" });
      pushOk(store, a.request([later]));
      pushOk(store, b.request([earlier]));
      const { entities, conflicts } = state(store);
      expect(entities.get("den")?.content).toEqual({ name: "Study" });
      expect(conflicts[0]?.conflict_data).toMatchObject({
        clashes: [{ path: "name", local: "Library", remote: "Study", winner: "remote" }],
        local: { name: "Library" },
      });
    }));

  it("settles update against delete by the later writer", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("attic", "room", { name: "Attic" });
      pushOk(store, a.request([base]));
      const gone = a.remove("attic", [base.version]);
      clock.now += 5;
      const edited = b.update("attic", "room", [base.version], { name: "Loft" });
      pushOk(store, a.request([gone]));
      pushOk(store, b.request([edited]));
      const { entities, conflicts } = state(store);
      expect(entities.get("attic")).toMatchObject({ deleted: false, content: { name: "Loft" } });
      expect(conflicts[0]).toMatchObject({ conflict_type: "update_delete", conflict_data: { winner: "local" } });
    }));
});

describe("last-writer-wins (schedules)", () => {
  it("keeps the later write whole and records the earlier one", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("nightly", "schedule", { name: "Nightly", cron: "0 3 * * *", enabled: true });
      pushOk(store, a.request([base]));
      clock.now += 100;
      const earlier = a.update("nightly", "schedule", [base.version], {
        name: "Nightly",
        cron: "0 3 * * *",
        enabled: false,
      });
      clock.now += 100;
      const later = b.update("nightly", "schedule", [base.version], {
        name: "Nightly",
        cron: "0 4 * * *",
        enabled: true,
      });
      pushOk(store, b.request([later]));
      expect(pushOk(store, a.request([earlier])).results[0]?.status).toBe("merged");
      const { entities, conflicts } = state(store);
      expect(entities.get("nightly")?.content).toEqual(later.content);
      expect(conflicts[0]).toMatchObject({
        strategy: "lww",
        conflict_data: { winner: "remote", local: earlier.content },
      });
    }));
});

describe("manual strategy (notes)", () => {
  it("leaves the conflict pending, keeps the current version, and resolves with a version of both sides", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("wifi", "note", { name: "Wi-Fi", body: "ssid home" });
      pushOk(store, a.request([base]));
      const mine = a.update("wifi", "note", [base.version], { name: "Wi-Fi", body: "ssid home, pw 1" });
      const theirs = b.update("wifi", "note", [base.version], { name: "Wi-Fi", body: "ssid home-5g" });
      pushOk(store, a.request([mine]));
      const response = pushOk(store, b.request([theirs]));
      expect(response.results[0]).toMatchObject({ status: "conflict", version: mine.version });
      expect(response.pending_conflicts).toBe(1);
      const pending = state(store).conflicts[0]!;
      expect(pending).toMatchObject({ resolution_status: "pending", local_version: theirs.version });
      expect(state(store).entities.get("wifi")?.version).toBe(mine.version);

      const resolved = store.write((ctx) =>
        resolveConflict(ctx, pending.id, { choose: "content", content: { name: "Wi-Fi", body: "both" } }, "api"),
      ).outcome;
      if (!resolved.ok) throw new Error(resolved.message);
      expect(resolved.value.conflict).toMatchObject({ resolution_status: "resolved" });
      expect(resolved.value.entity.parents).toEqual([mine.version, theirs.version]);
      expect(resolved.value.entity.content).toEqual({ name: "Wi-Fi", body: "both" });
      expect(store.write((ctx) => resolveConflict(ctx, pending.id, { choose: "remote" }, "api")).outcome).toMatchObject(
        {
          ok: false,
          status: 409,
          code: "conflict_not_pending",
        },
      );
    }));

  it("follows a device that keeps writing on its side, and closes when a device writes on both sides", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      const base = a.create("howto", "procedure", { name: "Reset", steps: [{ text: "unplug" }] });
      pushOk(store, a.request([base]));
      const mine = a.update("howto", "procedure", [base.version], { name: "Reset", steps: [{ text: "hold button" }] });
      pushOk(store, a.request([mine]));
      const b1 = b.update("howto", "procedure", [base.version], { name: "Reset", steps: [{ text: "unplug 10 s" }] });
      const b2 = b.update("howto", "procedure", [b1.version], { name: "Reset", steps: [{ text: "unplug 30 s" }] });
      pushOk(store, b.request([b1, b2]));
      const [conflict] = state(store).conflicts;
      expect(state(store).conflicts).toHaveLength(1);
      expect(conflict).toMatchObject({
        local_version: b2.version,
        conflict_data: { superseded_local_versions: [b1.version] },
      });
      const fix = b.update("howto", "procedure", [mine.version, b2.version], {
        name: "Reset",
        steps: [{ text: "merged" }],
      });
      expect(pushOk(store, b.request([fix])).results[0]?.status).toBe("applied");
      expect(state(store).conflicts[0]).toMatchObject({ resolution_status: "resolved", resolved_version: fix.version });
    }));
});

describe("relationships", () => {
  it("applies writes made on the current state and settles concurrent ones by the later HLC", () =>
    withStore((store, clock) => {
      const [a, b] = devices(clock);
      pushOk(
        store,
        a.request([a.create("lamp", "device", { name: "Lamp" }), a.create("den", "room", { name: "Den" })]),
      );
      const link = a.link("r1", "lamp", "den", "located_in", { since: 2020 }, null);
      pushOk(store, a.request([link]));
      const edit = a.link("r1", "lamp", "den", "located_in", { since: 2021 }, link.hlc);
      clock.now += 50;
      const drop = b.unlink("r1", link.hlc);
      expect(pushOk(store, a.request([edit])).results[0]?.status).toBe("applied");
      expect(pushOk(store, b.request([drop])).results[0]?.status).toBe("merged");
      const items = pullOk(store, "observer").items;
      const relationship = items.find((item) => item.kind === "relationship");
      expect(relationship).toMatchObject({ relationship: { id: "r1", deleted: true, properties: { since: 2021 } } });
      expect(items.find((item) => item.kind === "conflict")).toMatchObject({
        conflict: { subject: "relationship", strategy: "lww", conflict_data: { winner: "local" } },
      });
    }));

  it("refuses links to unknown entities (404) and unknown relationship types (422)", () =>
    withStore((store, clock) => {
      const [a] = devices(clock);
      pushOk(store, a.request([a.create("lamp", "device", { name: "Lamp" })]));
      const unknown = pushOutcome(store, a.request([a.link("r", "lamp", "ghost", "located_in", {}, null)]));
      expect(unknown).toMatchObject({ status: 404, code: "unknown_entity" });
      pushOk(store, a.request([a.create("den", "room", { name: "Den" })]));
      const badType = pushOutcome(store, a.request([a.link("r", "lamp", "den", "befriends", {}, null)]));
      expect(badType).toMatchObject({ status: 422, code: "unknown_relationship_type" });
    }));
});
