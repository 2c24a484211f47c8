/**
 * The multi-device simulation: several SyncClients (the real client and state
 * machine) edit at random, often offline, over a network that reorders, delays,
 * duplicates and drops requests and answers; clients retry with backoff on
 * simulated time. Then the network heals, everyone syncs, and checks.ts says
 * whether all replicas converged and no write was lost. Everything random comes
 * from one seed, so a failing seed replays.
 */
import { SyncClient } from "../../../shared/graph-sync/client";
import type { Change, FeedItem, PullRequest, PushRequest } from "../../../shared/graph-sync/protocol";
import { MemoryReplica } from "../../../shared/graph-sync/replica";
import { type SyncTransport, TransportError } from "../../../shared/graph-sync/transport";
import type { Outcome } from "../outcome";
import { checkSettled, type SimDevice } from "./checks";
import { randomEdit } from "./edits";
import { Rng } from "./prng";
import type { SimServer } from "./server";

export type SimOptions = {
  devices: number;
  steps: number;
  /** Chances per step of a fault: drop a message, duplicate a request, take a device offline. */
  drop: number;
  duplicate: number;
  offline: number;
  /** Chance per step of a write through the REST path. */
  apiWrites: number;
};

export const DEFAULT_SIM: SimOptions = {
  devices: 3,
  steps: 150,
  drop: 0.08,
  duplicate: 0.15,
  offline: 0.04,
  apiWrites: 0.02,
};

export type SimResult = {
  seed: number;
  failures: string[];
  stats: {
    writes: number;
    delivered: number;
    dropped: number;
    duplicated: number;
    late: number;
    merged: number;
    conflicts: number;
  };
};

type Flight = {
  device: number;
  kind: "push" | "pull";
  request: PushRequest | PullRequest;
  ghost: boolean;
  answer: Outcome<unknown> | null;
  settle: { resolve: (value: never) => void; reject: (error: Error) => void } | null;
};

class RecordingReplica extends MemoryReplica {
  readonly written: Change[] = [];
  override enqueue(change: Change) {
    this.written.push(change);
    super.enqueue(change);
  }
}

/** Lets every promise chain that can make progress do so. */
async function flush() {
  for (let i = 0; i < 16; i++) await null;
}

/** Simulated time, shared with the authority (whose clock-skew check reads it). */
export type SimClock = { now: number };

export const simClock = (start = Date.UTC(2026, 10, 1)): SimClock => ({ now: start });

export class Simulation {
  readonly rng: Rng;
  readonly devices: (SimDevice & { online: boolean; syncing: boolean; replica: RecordingReplica })[] = [];
  #flights: Flight[] = [];
  #timers: { at: number; wake: () => void }[] = [];
  readonly stats: SimResult["stats"] = {
    writes: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    late: 0,
    merged: 0,
    conflicts: 0,
  };

  constructor(
    readonly seed: number,
    readonly server: SimServer,
    readonly options: SimOptions,
    readonly clock: SimClock,
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < options.devices; i++) this.#addDevice(i);
  }

  #addDevice(index: number) {
    const name = `dev${index}`;
    const skew = this.rng.int(120_000) - 60_000;
    const replica = new RecordingReplica();
    let ids = 0;
    const client = new SyncClient({
      deviceId: name,
      replica,
      transport: this.#transport(index),
      now: () => this.clock.now + skew,
      newId: () => `${name}-${this.seed}-${++ids}`,
      sleep: (ms) => new Promise<void>((wake) => this.#timers.push({ at: this.clock.now + ms, wake })),
      random: () => this.rng.next(),
      maxRetries: 3,
      baseDelayMs: 100,
      maxDelayMs: 2_000,
      // Small batches and pages, so pushes and pulls span several rounds.
      batchSize: 1 + this.rng.int(8),
      feedLimit: 3 + this.rng.int(30),
    });
    this.devices.push({ name, client, replica, written: replica.written, online: true, syncing: false });
  }

  #transport(device: number): SyncTransport {
    const send = (kind: Flight["kind"], request: PushRequest | PullRequest) => {
      if (!this.devices[device]!.online) return Promise.reject(new TransportError("offline", true));
      return new Promise<never>((resolve, reject) => {
        this.#flights.push({
          device,
          kind,
          request: structuredClone(request),
          ghost: false,
          answer: null,
          settle: { resolve, reject },
        });
      });
    };
    return { push: (request) => send("push", request), pull: (request) => send("pull", request) };
  }

  #startSync(device: (typeof this.devices)[number]) {
    if (device.syncing) return;
    device.syncing = true;
    device.client.sync().then((report) => {
      device.syncing = false;
      this.stats.merged += report.merged;
      this.stats.conflicts += report.conflicts;
    });
  }

  /** The authority handles a request; its answer flies back (a duplicate's answer is lost). */
  async #deliverRequest(flight: Flight) {
    if (!flight.ghost && this.rng.chance(this.options.duplicate)) {
      this.#flights.push({ ...flight, ghost: true, settle: null });
      this.stats.duplicated++;
    }
    const answer =
      flight.kind === "push"
        ? await this.server.push(flight.request as PushRequest)
        : await this.server.pull(flight.request);
    this.stats.delivered++;
    if (flight.ghost) {
      // A duplicate's answer flies too; some reach the device later, out of band, like live frames.
      if (answer.ok && this.rng.chance(0.8)) this.#flights.push({ ...flight, answer });
      return;
    }
    if (!answer.ok) {
      flight.settle?.reject(new TransportError(answer.message, false, answer.status, answer.code, answer.details));
      return;
    }
    this.#flights.push({ ...flight, answer });
  }

  async #deliver(index: number) {
    const [flight] = this.#flights.splice(index, 1);
    if (!flight) return;
    if (flight.answer === null) return this.#deliverRequest(flight);
    if (flight.ghost) {
      const items = (flight.answer as { value: { items: FeedItem[] } }).value.items;
      this.devices[flight.device]!.client.receive(JSON.parse(JSON.stringify(items)) as FeedItem[]);
      this.stats.late++;
      return;
    }
    flight.settle?.resolve(JSON.parse(JSON.stringify((flight.answer as { value: unknown }).value)) as never);
  }

  #drop(index: number) {
    const [flight] = this.#flights.splice(index, 1);
    this.stats.dropped++;
    flight?.settle?.reject(new TransportError("timed out", true));
  }

  #advance(ms: number) {
    this.clock.now += ms;
    const due = this.#timers.filter((timer) => timer.at <= this.clock.now);
    this.#timers = this.#timers.filter((timer) => timer.at > this.clock.now);
    for (const timer of due) timer.wake();
  }

  async #step() {
    const { rng } = this;
    const device = rng.pick(this.devices);
    const action = rng.weighted({
      edit: 0.3,
      sync: 0.15,
      deliver: 0.3,
      drop: this.options.drop,
      toggle: this.options.offline,
      tick: 0.15,
      api: this.options.apiWrites,
    });
    if (action === "edit" && randomEdit(rng, device.client)) this.stats.writes++;
    else if (action === "sync") this.#startSync(device);
    else if (action === "deliver" && this.#flights.length) await this.#deliver(rng.int(this.#flights.length));
    else if (action === "drop" && this.#flights.length) this.#drop(rng.int(this.#flights.length));
    else if (action === "toggle") device.online = !device.online;
    else if (action === "tick") this.#advance(1 + rng.int(500));
    else if (action === "api") await this.#apiWrite();
    await flush();
  }

  async #apiWrite() {
    const entities = this.devices[0]!.client.entities();
    const pending = this.devices[0]!.client.conflicts("pending");
    if (pending.length && this.rng.chance(0.5)) {
      await this.server.apiResolve(this.rng.pick(pending).id, this.rng.chance(0.5) ? "local" : "remote");
    } else if (entities.length) {
      await this.server.apiPatch(this.rng.pick(entities).id, { description: `api ${this.rng.int(1000)}` });
    }
  }

  /** No faults, everyone online: deliver and sync until nothing is left in flight or in any outbox. */
  async #heal() {
    for (const device of this.devices) device.online = true;
    for (let i = 0; i < 100_000; i++) {
      const busy = this.devices.filter((d) => d.syncing);
      if (this.#flights.length) await this.#deliver(this.rng.int(this.#flights.length));
      else if (this.#timers.length)
        this.#advance(Math.max(1, Math.min(...this.#timers.map((t) => t.at)) - this.clock.now));
      else if (busy.length) throw new Error(`stuck: ${busy.map((d) => `${d.name} ${d.client.state}`).join(", ")}`);
      else {
        const behind = this.devices.find((d) => d.replica.outboxSize() > 0);
        if (!behind) return;
        this.#startSync(behind);
      }
      await flush();
    }
    throw new Error("the network did not settle");
  }

  /** One more sync per device, one at a time, so each sees the final state. */
  async #finalPass() {
    for (const device of this.devices) {
      this.#startSync(device);
      for (let i = 0; device.syncing && i < 10_000; i++) {
        if (this.#flights.length) await this.#deliver(0);
        else if (this.#timers.length)
          this.#advance(Math.max(1, Math.min(...this.#timers.map((t) => t.at)) - this.clock.now));
        await flush();
      }
    }
  }

  async run(): Promise<SimResult> {
    try {
      for (let step = 0; step < this.options.steps; step++) await this.#step();
      await this.#heal();
      await this.#finalPass();
      const failures = checkSettled(await this.server.snapshot(), this.devices);
      return { seed: this.seed, failures, stats: this.stats };
    } catch (error) {
      return {
        seed: this.seed,
        failures: [`crashed: ${error instanceof Error ? error.stack : error}`],
        stats: this.stats,
      };
    }
  }
}

export function simulate(
  seed: number,
  server: SimServer,
  clock: SimClock,
  options: Partial<SimOptions> = {},
): Promise<SimResult> {
  return new Simulation(seed, server, { ...DEFAULT_SIM, ...options }, clock).run();
}
