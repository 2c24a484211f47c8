/**
 * A device's local replica, as the sync client sees it: the confirmed state (what
 * the authority last said, each row with its feed position), the outbox of local
 * changes not yet acknowledged, changes the authority refused, and small metadata
 * (cursor, counter, clock). Synchronous, so one local write is one transaction.
 * MemoryReplica serves browsers and tests; the CLI keeps one in node:sqlite.
 */
import type { AttachmentState, Change, ConflictState, EntityState, RelationshipState } from "./protocol";

export type Stored<T> = { state: T; seq: number };
export type Rejected = { change: Change; code: string; message: string; at: number };

export interface Replica {
  transaction<T>(fn: () => T): T;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;

  getEntity(id: string): Stored<EntityState> | null;
  putEntity(state: EntityState, seq: number): void;
  listEntities(): EntityState[];
  getRelationship(id: string): Stored<RelationshipState> | null;
  putRelationship(state: RelationshipState, seq: number): void;
  listRelationships(): RelationshipState[];
  getConflict(id: string): Stored<ConflictState> | null;
  putConflict(state: ConflictState, seq: number): void;
  listConflicts(): ConflictState[];
  putAttachment(state: AttachmentState, seq: number): void;
  listAttachments(entityId: string): AttachmentState[];

  /** Appends a local change; changes leave in the order they were made. */
  enqueue(change: Change): void;
  /** The oldest unacknowledged changes. */
  outbox(limit: number): Change[];
  outboxSize(): number;
  /** The pending changes to one entity or relationship, oldest first. */
  pendingFor(targetId: string): Change[];
  /** Pending changes of entities and relationships not confirmed yet (created offline). */
  pendingTargets(): string[];
  acknowledge(clientChangeIds: readonly string[]): void;
  /** Acknowledges every change with a counter at or below `counter` (the authority's clock says it has them). */
  acknowledgeUpTo(counter: number): void;
  reject(entry: Rejected): void;
  rejected(): Rejected[];
}

export const targetOf = (change: Change) =>
  change.op === "upsert" || change.op === "delete" ? change.entity_id : change.relationship_id;

/** A replica in memory. `snapshot()`/`restore()` let a browser persist it wherever it likes. */
export class MemoryReplica implements Replica {
  #meta = new Map<string, string>();
  #entities = new Map<string, Stored<EntityState>>();
  #relationships = new Map<string, Stored<RelationshipState>>();
  #conflicts = new Map<string, Stored<ConflictState>>();
  #attachments = new Map<string, Stored<AttachmentState>>();
  #outbox: Change[] = [];
  #rejected: Rejected[] = [];

  transaction<T>(fn: () => T): T {
    return fn();
  }
  getMeta(key: string) {
    return this.#meta.get(key) ?? null;
  }
  setMeta(key: string, value: string) {
    this.#meta.set(key, value);
  }
  getEntity(id: string) {
    return this.#entities.get(id) ?? null;
  }
  putEntity(state: EntityState, seq: number) {
    this.#entities.set(state.id, { state, seq });
  }
  listEntities() {
    return [...this.#entities.values()].map((row) => row.state);
  }
  getRelationship(id: string) {
    return this.#relationships.get(id) ?? null;
  }
  putRelationship(state: RelationshipState, seq: number) {
    this.#relationships.set(state.id, { state, seq });
  }
  listRelationships() {
    return [...this.#relationships.values()].map((row) => row.state);
  }
  getConflict(id: string) {
    return this.#conflicts.get(id) ?? null;
  }
  putConflict(state: ConflictState, seq: number) {
    this.#conflicts.set(state.id, { state, seq });
  }
  listConflicts() {
    return [...this.#conflicts.values()].map((row) => row.state);
  }
  putAttachment(state: AttachmentState, seq: number) {
    this.#attachments.set(state.id, { state, seq });
  }
  listAttachments(entityId: string) {
    return [...this.#attachments.values()].map((row) => row.state).filter((a) => a.entity_id === entityId);
  }
  enqueue(change: Change) {
    this.#outbox.push(change);
  }
  outbox(limit: number) {
    return this.#outbox.slice(0, limit);
  }
  outboxSize() {
    return this.#outbox.length;
  }
  pendingFor(targetId: string) {
    return this.#outbox.filter((change) => targetOf(change) === targetId);
  }
  pendingTargets() {
    return [...new Set(this.#outbox.map(targetOf))];
  }
  acknowledge(ids: readonly string[]) {
    const done = new Set(ids);
    this.#outbox = this.#outbox.filter((change) => !done.has(change.client_change_id));
  }
  acknowledgeUpTo(counter: number) {
    this.#outbox = this.#outbox.filter((change) => change.counter > counter);
  }
  reject(entry: Rejected) {
    this.#rejected.push(entry);
    this.acknowledge([entry.change.client_change_id]);
  }
  rejected() {
    return [...this.#rejected];
  }
}
