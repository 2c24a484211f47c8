/**
 * The authority as the simulation sees it: push, pull, an occasional write through
 * the REST path, and a snapshot to check invariants against. `storeServer` drives
 * a GraphStore in-process (the Durable Object's own engine and SQLite); the HTTP
 * variant lives in simulation.test.ts. Requests and answers go through JSON, as on
 * the wire.
 */
import type {
  ConflictState,
  EntityState,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  RelationshipState,
} from "../../../shared/graph-sync/protocol";
import type { Outcome } from "../outcome";
import type { GraphStore } from "../store";
import { pull, push } from "../sync";
import { resolveConflict, updateEntity } from "../writes";

export type VersionNode = { entityId: string; parents: string[]; source: string };
export type LoggedChange = { device_id: string; client_change_id: string | null; outcome: string; hlc: string };

export type ServerSnapshot = {
  entities: EntityState[];
  relationships: RelationshipState[];
  conflicts: ConflictState[];
  versions: Map<string, VersionNode>;
  /** The change log; only an in-process server exposes it. */
  changeLog: LoggedChange[] | null;
};

export interface SimServer {
  push(request: PushRequest): Promise<Outcome<PushResponse>>;
  pull(request: PullRequest): Promise<Outcome<PullResponse>>;
  /** A write through the REST path (device `api`), concurrent with the devices. */
  apiPatch(entityId: string, patch: Record<string, unknown>): Promise<void>;
  apiResolve(conflictId: string, choose: "local" | "remote"): Promise<void>;
  snapshot(): Promise<ServerSnapshot>;
}

const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Current state of everything, read from the feed from position 0. */
export function feedState(items: PullResponse["items"]) {
  const entities = new Map<string, EntityState>();
  const relationships = new Map<string, RelationshipState>();
  const conflicts = new Map<string, ConflictState>();
  for (const item of items) {
    if (item.kind === "entity") entities.set(item.entity.id, item.entity);
    if (item.kind === "relationship") relationships.set(item.relationship.id, item.relationship);
    if (item.kind === "conflict") conflicts.set(item.conflict.id, item.conflict);
  }
  return {
    entities: [...entities.values()],
    relationships: [...relationships.values()],
    conflicts: [...conflicts.values()],
  };
}

export function storeServer(store: GraphStore): SimServer {
  return {
    push: async (request) => wire(store.write((ctx) => push(ctx, wire(request))).outcome),
    pull: async (request) => wire(store.read((ctx) => pull(ctx, wire(request)))),
    apiPatch: async (entityId, patch) => {
      store.write((ctx) => updateEntity(ctx, entityId, { patch }, "api"));
    },
    apiResolve: async (conflictId, choose) => {
      store.write((ctx) => resolveConflict(ctx, conflictId, { choose }, "api"));
    },
    snapshot: async () => {
      const outcome = store.read((ctx) => {
        const feed = pull(ctx, { protocol_versions: [1], device_id: "sim-observer", cursor: 0, limit: 1_000_000 });
        const versions = ctx.sql
          .exec<{ version: string; entity_id: string; parent_versions: string; source_type: string }>(
            "SELECT version, entity_id, parent_versions, source_type FROM entity_versions",
          )
          .toArray();
        const changeLog = ctx.sql
          .exec<LoggedChange>("SELECT device_id, client_change_id, outcome, hlc FROM entity_changes")
          .toArray();
        return { feed, versions, changeLog };
      });
      if (!outcome.ok) throw new Error(outcome.message);
      const { feed, versions, changeLog } = outcome.value;
      return {
        ...feedState(feed.items),
        versions: new Map(
          versions.map((v) => [
            v.version,
            { entityId: v.entity_id, parents: JSON.parse(v.parent_versions) as string[], source: v.source_type },
          ]),
        ),
        changeLog,
      };
    },
  };
}
