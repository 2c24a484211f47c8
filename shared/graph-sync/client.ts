/**
 * The Inbetweenies client (WildThing's sync layer): local writes go to the
 * replica's outbox at once (so the device works offline), and reads see the
 * confirmed state with pending writes on top. `sync()` runs the seed's state
 * machine (sync-loop.ts). Used by the CLI over node:sqlite, by browsers over a
 * MemoryReplica, and by the multi-device simulation.
 */
import { checkContent } from "./content";
import { HlcClock } from "./hlc";
import type { Change, ConflictState, EntityState, FeedItem, RelationshipState } from "./protocol";
import type { Replica } from "./replica";
import { applyItem, type RunOptions, runSync, type SyncReport, type SyncState } from "./sync-loop";
import type { SyncTransport } from "./transport";

export type { SyncReport, SyncState } from "./sync-loop";

export type SyncClientOptions = Partial<RunOptions> & {
  deviceId: string;
  replica: Replica;
  transport: SyncTransport;
  now?: () => number;
  newId?: () => string;
};

/** A local write the client refuses before it reaches the outbox. */
export class LocalWriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "LocalWriteError";
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export class SyncClient {
  readonly deviceId: string;
  readonly replica: Replica;
  readonly #clock: HlcClock;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #options: SyncClientOptions;
  #running: Promise<SyncReport> | null = null;
  #listeners = new Set<(state: SyncState, detail?: unknown) => void>();
  state: SyncState = "idle";

  constructor(options: SyncClientOptions) {
    this.deviceId = options.deviceId;
    this.replica = options.replica;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.#clock = new HlcClock(options.deviceId, this.#now, options.replica.getMeta("hlc"));
  }

  /** Called with every state of the sync state machine. */
  onState(listener: (state: SyncState, detail?: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get cursor(): number {
    return Number(this.replica.getMeta("cursor") ?? "0");
  }

  // ── Reads: confirmed state with pending writes on top ─────────────────
  entity(id: string): EntityState | null {
    let view = this.replica.getEntity(id)?.state ?? null;
    for (const change of this.replica.pendingFor(id)) {
      if (change.op !== "upsert" && change.op !== "delete") continue;
      const deleted = change.op === "delete";
      view = {
        id,
        type: change.op === "upsert" ? change.entity_type : (view?.type ?? "unknown"),
        version: change.version,
        parents: change.parents,
        content: change.op === "upsert" ? change.content : null,
        deleted,
        hlc: change.hlc,
        device_id: this.deviceId,
        created_at: view?.created_at ?? iso(this.#now()),
        updated_at: iso(this.#now()),
      };
    }
    return view;
  }

  entities(filter: { type?: string; includeDeleted?: boolean } = {}): EntityState[] {
    const ids = new Set([...this.replica.listEntities().map((e) => e.id), ...this.replica.pendingTargets()]);
    return [...ids]
      .map((id) => this.entity(id))
      .filter((e): e is EntityState => e !== null && e.type !== "unknown")
      .filter((e) => (filter.includeDeleted || !e.deleted) && (!filter.type || e.type === filter.type))
      .sort(
        (a, b) => String(a.content?.name ?? "").localeCompare(String(b.content?.name ?? "")) || (a.id < b.id ? -1 : 1),
      );
  }

  relationship(id: string): RelationshipState | null {
    let view = this.replica.getRelationship(id)?.state ?? null;
    for (const change of this.replica.pendingFor(id)) {
      if (change.op === "link") {
        view = {
          id,
          from_id: change.from_id,
          to_id: change.to_id,
          type: change.relationship_type,
          properties: change.properties,
          deleted: false,
          hlc: change.hlc,
          created_at: view?.created_at ?? iso(this.#now()),
          updated_at: iso(this.#now()),
        };
      } else if (change.op === "unlink" && view) view = { ...view, deleted: true, hlc: change.hlc };
    }
    return view;
  }

  relationships(includeDeleted = false): RelationshipState[] {
    const ids = new Set([...this.replica.listRelationships().map((r) => r.id), ...this.replica.pendingTargets()]);
    return [...ids]
      .map((id) => this.relationship(id))
      .filter((r): r is RelationshipState => r !== null && (includeDeleted || !r.deleted));
  }

  conflicts(status?: ConflictState["resolution_status"]): ConflictState[] {
    return this.replica.listConflicts().filter((c) => !status || c.resolution_status === status);
  }

  // ── Local writes: validated, then queued ──────────────────────────────
  create(type: string, content: Record<string, unknown>, id: string = this.#newId()): EntityState {
    if (this.entity(id)) throw new LocalWriteError("entity_exists", `Entity ${id} already exists`, 409);
    return this.#writeEntity(id, type, [], content);
  }

  update(id: string, content: Record<string, unknown>): EntityState {
    const current = this.#existing(id);
    return this.#writeEntity(id, current.type, [current.version], content);
  }

  remove(id: string): EntityState {
    const current = this.#existing(id);
    this.#enqueue({
      ...this.#stamp(),
      op: "delete",
      entity_id: id,
      version: this.#newId(),
      parents: [current.version],
    });
    return this.entity(id)!;
  }

  link(from: string, to: string, type: string, properties: Record<string, unknown> = {}, id = this.#newId()) {
    for (const end of [from, to]) this.#existing(end);
    const base = this.relationship(id);
    this.#enqueue({
      ...this.#stamp(),
      op: "link",
      relationship_id: id,
      from_id: from,
      to_id: to,
      relationship_type: type,
      properties,
      base_hlc: base?.hlc ?? null,
    });
    return this.relationship(id)!;
  }

  unlink(id: string): RelationshipState {
    const current = this.relationship(id);
    if (!current || current.deleted) throw new LocalWriteError("unknown_relationship", `No relationship ${id}`, 404);
    this.#enqueue({ ...this.#stamp(), op: "unlink", relationship_id: id, base_hlc: current.hlc });
    return this.relationship(id)!;
  }

  /**
   * Resolves a pending conflict offline: a new version whose parents are what this
   * device has as current and the conflict's incoming write. The authority closes
   * the conflict when it sees the version descend from both sides.
   */
  resolve(conflictId: string, choice: "local" | "remote" | { content: Record<string, unknown> }): EntityState {
    const conflict = this.replica.getConflict(conflictId)?.state;
    if (conflict?.subject !== "entity" || conflict.resolution_status !== "pending") {
      throw new LocalWriteError("not_pending", `No pending conflict ${conflictId} here; sync first?`, 404);
    }
    const current = this.#existing(conflict.entity_id, true);
    const parents = [current.version, conflict.local_version];
    const local = conflict.conflict_data.local as Record<string, unknown> | null;
    const content = choice === "local" ? local : choice === "remote" ? current.content : choice.content;
    if (content === null) {
      this.#enqueue({ ...this.#stamp(), op: "delete", entity_id: current.id, version: this.#newId(), parents });
      return this.entity(current.id)!;
    }
    return this.#writeEntity(current.id, current.type, parents, content);
  }

  // ── Sync ──────────────────────────────────────────────────────────────
  /** Runs the state machine until the outbox is empty and the feed is drained (one run at a time). */
  sync(): Promise<SyncReport> {
    this.#running ??= runSync(
      {
        deviceId: this.deviceId,
        replica: this.replica,
        transport: this.#options.transport,
        clock: this.#clock,
        setState: (state, detail) => {
          this.state = state;
          for (const listener of this.#listeners) listener(state, detail);
        },
      },
      this.#options,
    ).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * Applies feed items that arrived outside a sync (live WebSocket `change` frames).
   * Older or repeated items are ignored; the cursor does not move, so the next
   * sync still fetches everything in order. Returns how many rows changed.
   */
  receive(items: readonly FeedItem[]): number {
    const loop = {
      deviceId: this.deviceId,
      replica: this.replica,
      transport: this.#options.transport,
      clock: this.#clock,
    };
    return this.replica.transaction(
      () => items.filter((item) => applyItem({ ...loop, setState: () => {} }, item)).length,
    );
  }

  #existing(id: string, allowDeleted = false): EntityState {
    const current = this.entity(id);
    if (!current || (current.deleted && !allowDeleted)) {
      throw new LocalWriteError("unknown_entity", `No entity ${id} in this replica`, 404);
    }
    return current;
  }

  #writeEntity(id: string, type: string, parents: string[], content: Record<string, unknown>): EntityState {
    const checked = checkContent(type, content);
    if (!checked.ok) throw new LocalWriteError(checked.code, checked.message, checked.status);
    this.#enqueue({
      ...this.#stamp(),
      op: "upsert",
      entity_id: id,
      entity_type: type,
      version: this.#newId(),
      parents,
      content: checked.content,
    });
    return this.entity(id)!;
  }

  #stamp() {
    const counter = Number(this.replica.getMeta("counter") ?? "0") + 1;
    // Unique per device even if a replica is rebuilt under the same device id.
    return { client_change_id: `${counter}-${this.#newId()}`.slice(0, 64), counter, hlc: this.#clock.tick() };
  }

  #enqueue(change: Change) {
    this.replica.transaction(() => {
      this.replica.enqueue(change);
      this.replica.setMeta("counter", String(change.counter));
      this.replica.setMeta("hlc", this.#clock.last);
    });
  }
}
