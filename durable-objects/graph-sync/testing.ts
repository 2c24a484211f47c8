/**
 * Test support for the graph engine: a GraphStore in a fresh GraphSync Durable
 * Object's own SQLite (so tests run the real storage in-process), and a scripted
 * device that builds protocol changes with its own HLC and counter.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { HlcClock } from "../../shared/graph-sync/hlc";
import type { ChangeInput, PushRequest } from "../../shared/graph-sync/protocol";
import { GraphStore } from "./store";
import { pull, push } from "./sync";

/** Runs `fn` with a GraphStore on a brand-new Durable Object's storage; `clock.now` drives its time. */
export async function withStore<T>(fn: (store: GraphStore, clock: { now: number }) => Promise<T> | T): Promise<T> {
  const stub = env.GRAPH_SYNC.getByName(`test-${crypto.randomUUID()}`);
  return runInDurableObject(stub, async (_instance, state) => {
    const clock = { now: Date.UTC(2026, 10, 1) };
    const store = new GraphStore(state.storage.sql, (txn) => state.storage.transactionSync(txn), {
      now: () => clock.now,
    });
    return fn(store, clock);
  });
}

/** A device that writes by hand: every change gets the next counter, a fresh HLC and a unique client change id. */
export class ScriptedDevice {
  readonly clock: HlcClock;
  counter = 0;
  cursor = 0;

  constructor(
    readonly id: string,
    now: () => number,
  ) {
    this.clock = new HlcClock(id, now);
  }

  #base() {
    this.counter++;
    return { client_change_id: `${this.id}-${this.counter}`, counter: this.counter, hlc: this.clock.tick() };
  }

  create(
    entityId: string,
    type: string,
    content: Record<string, unknown>,
    version = `${entityId}-v${this.counter + 1}-${this.id}`,
  ) {
    return {
      ...this.#base(),
      op: "upsert" as const,
      entity_id: entityId,
      entity_type: type,
      version,
      parents: [],
      content,
    };
  }

  update(entityId: string, type: string, parents: string[], content: Record<string, unknown>, version?: string) {
    const base = this.#base();
    return {
      ...base,
      op: "upsert" as const,
      entity_id: entityId,
      entity_type: type,
      version: version ?? `${entityId}-c${base.counter}-${this.id}`,
      parents,
      content,
    };
  }

  remove(entityId: string, parents: string[]) {
    const base = this.#base();
    return {
      ...base,
      op: "delete" as const,
      entity_id: entityId,
      version: `${entityId}-d${base.counter}-${this.id}`,
      parents,
    };
  }

  link(
    id: string,
    from: string,
    to: string,
    type: string,
    properties: Record<string, unknown>,
    baseHlc: string | null,
  ) {
    return {
      ...this.#base(),
      op: "link" as const,
      relationship_id: id,
      from_id: from,
      to_id: to,
      relationship_type: type,
      properties,
      base_hlc: baseHlc,
    };
  }

  unlink(id: string, baseHlc: string | null) {
    return { ...this.#base(), op: "unlink" as const, relationship_id: id, base_hlc: baseHlc };
  }

  request(changes: ChangeInput[], cursor = this.cursor): PushRequest {
    return {
      protocol_versions: [1],
      device_id: this.id,
      clock: { [this.id]: this.counter },
      cursor,
      changes: changes.map((change) =>
        change.op === "link" ? { ...change, properties: change.properties ?? {} } : change,
      ),
    } as PushRequest;
  }
}

/** Pushes and expects success; returns the response. */
export function pushOk(store: GraphStore, request: PushRequest) {
  const { outcome } = store.write((ctx) => push(ctx, request));
  if (!outcome.ok) throw new Error(`push failed: ${outcome.status} ${outcome.code} ${outcome.message}`);
  return outcome.value;
}

export function pushOutcome(store: GraphStore, request: PushRequest) {
  return store.write((ctx) => push(ctx, request)).outcome;
}

export function pullOk(store: GraphStore, deviceId: string, cursor = 0, limit?: number) {
  const outcome = store.read((ctx) => pull(ctx, { protocol_versions: [1], device_id: deviceId, cursor, limit }));
  if (!outcome.ok) throw new Error(`pull failed: ${outcome.code}`);
  return outcome.value;
}
