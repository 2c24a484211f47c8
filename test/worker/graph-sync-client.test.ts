/**
 * The sync client (shared/graph-sync/) against the real engine in a Durable
 * Object and against scripted transports: the seed's state machine, retries with
 * exponential backoff, changes the authority refuses, live items arriving late,
 * and reads that show pending writes on top of the confirmed state.
 */
import { describe, expect, it } from "vitest";
import { storeServer } from "../../durable-objects/graph-sync/simulation/server";
import { withStore } from "../../durable-objects/graph-sync/testing";
import { LocalWriteError, SyncClient, type SyncState } from "../../shared/graph-sync/client";
import type { PushResponse } from "../../shared/graph-sync/protocol";
import { MemoryReplica } from "../../shared/graph-sync/replica";
import { backoffDelay, type SyncTransport, TransportError } from "../../shared/graph-sync/transport";

function storeTransport(server: ReturnType<typeof storeServer>): SyncTransport {
  const unwrap = async <T>(
    outcome: Promise<
      | { ok: true; value: T }
      | { ok: false; status: number; code: string; message: string; details: Record<string, unknown> | null }
    >,
  ) => {
    const result = await outcome;
    if (result.ok) return result.value;
    throw new TransportError(result.message, false, result.status, result.code, result.details);
  };
  return { push: (request) => unwrap(server.push(request)), pull: (request) => unwrap(server.pull(request)) };
}

const noSleep = { sleep: async () => {}, random: () => 0.5 };
const timeOf = (clock: { now: number }) => ({ now: () => clock.now });

describe("the state machine", () => {
  it("walks collect → request → response → conflicts → apply → clock → complete, with manual resolution reported", () =>
    withStore(async (store, clock) => {
      const transport = storeTransport(storeServer(store));
      const manual: unknown[] = [];
      const phone = new SyncClient({
        deviceId: "phone",
        replica: new MemoryReplica(),
        transport,
        ...noSleep,
        ...timeOf(clock),
      });
      const laptop = new SyncClient({
        deviceId: "laptop",
        replica: new MemoryReplica(),
        transport,
        ...noSleep,
        ...timeOf(clock),
        onManualConflicts: (conflicts) => void manual.push(...conflicts),
      });
      const note = phone.create("note", { name: "Wi-Fi", body: "v1" });
      await phone.sync();
      await laptop.sync();
      phone.update(note.id, { name: "Wi-Fi", body: "phone" });
      laptop.update(note.id, { name: "Wi-Fi", body: "laptop" });
      await phone.sync();
      const states: SyncState[] = [];
      laptop.onState((state) => states.push(state));
      const report = await laptop.sync();
      expect(report).toMatchObject({ ok: true, conflicts: 1, pendingConflicts: 1 });
      expect(manual).toHaveLength(1);
      expect(states).toEqual([
        "collecting_changes",
        "preparing_request",
        "sending_request",
        "waiting_response",
        "processing_response",
        "checking_conflicts",
        "manual_resolution",
        "applying_changes",
        "updating_vector_clock",
        "sync_complete",
        "idle",
      ]);
      expect(laptop.entity(note.id)?.content).toEqual({ name: "Wi-Fi", body: "phone" });

      const [conflict] = laptop.conflicts("pending");
      const resolved = laptop.resolve(conflict!.id, { content: { name: "Wi-Fi", body: "both" } });
      expect(resolved.parents).toEqual([phone.entity(note.id)!.version, conflict!.local_version]);
      await laptop.sync();
      await phone.sync();
      expect(phone.conflicts("pending")).toEqual([]);
      expect(phone.entity(note.id)?.content).toEqual({ name: "Wi-Fi", body: "both" });
    }));
});

describe("retries", () => {
  it("backs off exponentially with jitter, honours Retry-After, and fails after the last retry", async () => {
    const backoff = { baseMs: 100, maxMs: 1000, random: () => 1 };
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, backoff))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(2, { ...backoff, random: () => 0 })).toBe(200);
    expect(backoffDelay(0, backoff, 5000)).toBe(1000);

    const slept: number[] = [];
    let calls = 0;
    const flaky: SyncTransport = {
      push: async () => {
        calls++;
        throw new TransportError("down", true);
      },
      pull: async () => {
        throw new TransportError("down", true);
      },
    };
    const client = new SyncClient({
      deviceId: "d",
      replica: new MemoryReplica(),
      transport: flaky,
      maxRetries: 3,
      baseDelayMs: 100,
      random: () => 0,
      sleep: async (ms) => void slept.push(ms),
    });
    client.create("zone", { name: "Garden" });
    const report = await client.sync();
    expect(report).toMatchObject({ ok: false, retries: 3, error: { code: "network_error" } });
    expect(calls).toBe(4);
    expect(slept).toEqual([50, 100, 200]);
    expect(client.replica.outboxSize()).toBe(1);
    expect(client.state).toBe("idle");
  });

  it("sets a refused change aside, keeps it, and pushes the rest", async () => {
    const pushed: string[][] = [];
    const transport: SyncTransport = {
      push: async (request) => {
        pushed.push(request.changes.map((c) => c.client_change_id));
        if (request.changes.length === 2)
          throw new TransportError("bad", false, 422, "unknown_entity_type", { index: 0 });
        return {
          protocol_version: 1,
          results: request.changes.map((c) => ({
            client_change_id: c.client_change_id,
            status: "applied",
            version: null,
            conflict_id: null,
          })),
          items: [],
          since: 0,
          cursor: 0,
          has_more: false,
          clock: {},
          pending_conflicts: 0,
        } satisfies PushResponse;
      },
      pull: async () => {
        throw new Error("unused");
      },
    };
    const replica = new MemoryReplica();
    const client = new SyncClient({ deviceId: "d", replica, transport, ...noSleep });
    client.create("zone", { name: "A" });
    client.create("zone", { name: "B" });
    const report = await client.sync();
    expect(report.ok).toBe(true);
    expect(report.rejected.map((r) => r.code)).toEqual(["unknown_entity_type"]);
    expect(replica.rejected()).toHaveLength(1);
    expect(pushed[1]).toHaveLength(1);
    expect(replica.outboxSize()).toBe(0);
  });
});

describe("reads and live items", () => {
  it("shows pending writes on top of the confirmed state and ignores items older than what it has", () =>
    withStore(async (store, clock) => {
      const transport = storeTransport(storeServer(store));
      const client = new SyncClient({
        deviceId: "phone",
        replica: new MemoryReplica(),
        transport,
        ...noSleep,
        ...timeOf(clock),
      });
      const room = client.create("room", { name: "Den" });
      const edited = client.update(room.id, { name: "Study" });
      expect(edited.parents).toEqual([room.version]);
      expect(client.entities().map((e) => e.content?.name)).toEqual(["Study"]);
      expect(() => client.create("spaceship", { name: "X" })).toThrow(LocalWriteError);
      const first = await client.sync();
      expect(first.pushed).toBe(2);
      const stored = client.replica.getEntity(room.id)!;
      const stale = {
        kind: "entity" as const,
        seq: stored.seq - 1,
        entity: { ...stored.state, content: { name: "Old" } },
      };
      expect(client.receive([stale])).toBe(0);
      expect(client.entity(room.id)?.content).toEqual({ name: "Study" });
      client.remove(room.id);
      expect(client.entities()).toEqual([]);
      expect(client.entities({ includeDeleted: true })[0]).toMatchObject({ deleted: true, type: "room" });
    }));
});
