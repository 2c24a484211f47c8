/**
 * The server side of the Inbetweenies protocol: push applies a device's batch in
 * order inside one transaction (all or nothing when a change is invalid), with
 * client change ids making every retry and duplicate harmless; push and pull both
 * answer with the feed since the device's cursor, its new clock and the number of
 * conflicts waiting for a person.
 */
import { parseHlc } from "../../shared/graph-sync/hlc";
import {
  type Change,
  type ChangeResult,
  DEFAULT_FEED_LIMIT,
  negotiate,
  PROTOCOL_VERSIONS,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type VectorClock,
} from "../../shared/graph-sync/protocol";
import { assertNever } from "../sockets";
import { applyEntityWrite, type WriteResult, type Writer } from "./apply-entity";
import { applyRelationshipWrite } from "./apply-relationship";
import { countPending } from "./conflicts";
import { type Ctx, hashText } from "./context";
import { readFeed } from "./feed";
import { canonicalJson } from "./merge";
import { GraphError } from "./outcome";

/** How far ahead of the authority's clock a device's HLC may run before its batch is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Device ids the authority writes under itself. */
export const RESERVED_DEVICE_IDS = ["server", "api", "mcp"] as const;

function negotiated(offered: readonly number[]): number {
  const version = negotiate(offered);
  if (version === null) {
    throw new GraphError(400, "unsupported_protocol_version", "No protocol version in common with this server", {
      supported: PROTOCOL_VERSIONS,
      offered,
    });
  }
  return version;
}

/** The authority's vector clock: per device, how many of its changes are integrated; `server`, the feed position. */
export function vectorClock(ctx: Pick<Ctx, "sql" | "meta">): VectorClock {
  const rows = ctx.sql.exec<{ device_id: string; clock_value: number }>("SELECT * FROM vector_clocks").toArray();
  return { ...Object.fromEntries(rows.map((row) => [row.device_id, row.clock_value])), server: ctx.meta.currentSeq() };
}

function bumpClock(ctx: Ctx, deviceId: string, counter: number, hlc: string) {
  ctx.sql.exec(
    `INSERT INTO vector_clocks (device_id, clock_value, last_hlc, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET clock_value = MAX(clock_value, excluded.clock_value),
       last_hlc = excluded.last_hlc, updated_at = excluded.updated_at`,
    deviceId,
    counter,
    hlc,
    ctx.now(),
  );
}

function applyOne(ctx: Ctx, change: Change, writer: Writer): WriteResult {
  switch (change.op) {
    case "upsert":
      return applyEntityWrite(
        ctx,
        {
          entityId: change.entity_id,
          entityType: change.entity_type,
          version: change.version,
          parents: change.parents,
          content: change.content,
          hlc: change.hlc,
        },
        writer,
      );
    case "delete":
      return applyEntityWrite(
        ctx,
        {
          entityId: change.entity_id,
          entityType: null,
          version: change.version,
          parents: change.parents,
          content: null,
          hlc: change.hlc,
        },
        writer,
      );
    case "link":
      return applyRelationshipWrite(
        ctx,
        {
          id: change.relationship_id,
          link: {
            fromId: change.from_id,
            toId: change.to_id,
            type: change.relationship_type,
            properties: change.properties,
          },
          hlc: change.hlc,
          baseHlc: change.base_hlc,
        },
        writer,
      );
    case "unlink":
      return applyRelationshipWrite(
        ctx,
        { id: change.relationship_id, hlc: change.hlc, baseHlc: change.base_hlc },
        writer,
      );
    default:
      return assertNever(change, "change");
  }
}

/** One change, applied once: a client change id seen before repeats its first outcome. */
function applyChange(ctx: Ctx, deviceId: string, change: Change): ChangeResult {
  const hash = hashText(canonicalJson(change));
  const prior = ctx.sql
    .exec<{ change_hash: string; result: string }>(
      "SELECT change_hash, result FROM client_changes WHERE device_id = ? AND client_change_id = ?",
      deviceId,
      change.client_change_id,
    )
    .toArray()[0];
  if (prior) {
    if (prior.change_hash !== hash) {
      throw new GraphError(409, "idempotency_mismatch", "This client change id was used for a different change", {
        client_change_id: change.client_change_id,
      });
    }
    const first = JSON.parse(prior.result) as ChangeResult;
    return { ...first, status: "duplicate", first_status: first.status };
  }
  ctx.clock.receive(change.hlc);
  const outcome = applyOne(ctx, change, { deviceId, source: "device", clientChangeId: change.client_change_id });
  const result: ChangeResult = {
    client_change_id: change.client_change_id,
    status: outcome.status,
    version: outcome.version,
    conflict_id: outcome.conflictId,
  };
  ctx.sql.exec(
    "INSERT INTO client_changes (device_id, client_change_id, change_hash, result, created_at) VALUES (?, ?, ?, ?, ?)",
    deviceId,
    change.client_change_id,
    hash,
    JSON.stringify(result),
    ctx.now(),
  );
  return result;
}

function checkDevice(deviceId: string) {
  if ((RESERVED_DEVICE_IDS as readonly string[]).includes(deviceId)) {
    throw new GraphError(400, "reserved_device_id", `"${deviceId}" is reserved; choose another device id`);
  }
}

function checkSkew(ctx: Ctx, changes: readonly Change[]) {
  const limit = ctx.now() + MAX_CLOCK_SKEW_MS;
  changes.forEach((change, index) => {
    if ((parseHlc(change.hlc)?.wall ?? 0) > limit) {
      throw new GraphError(400, "clock_skew", "A change is timestamped too far in the future; check the device clock", {
        index,
        client_change_id: change.client_change_id,
        max_skew_ms: MAX_CLOCK_SKEW_MS,
      });
    }
  });
}

/** Runs inside the store's transaction: a change that fails rolls the whole batch back. */
export function push(ctx: Ctx, request: PushRequest): PushResponse {
  const protocolVersion = negotiated(request.protocol_versions);
  checkDevice(request.device_id);
  checkSkew(ctx, request.changes);
  const results = request.changes.map((change, index) => {
    try {
      return applyChange(ctx, request.device_id, change);
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      throw new GraphError(error.status, error.code, `Change ${index}: ${error.message}`, {
        ...error.details,
        index,
        client_change_id: change.client_change_id,
      });
    }
  });
  const last = request.changes.at(-1);
  // The device's clock entry: the highest counter integrated, once per batch.
  if (last) bumpClock(ctx, request.device_id, Math.max(...request.changes.map((c) => c.counter)), last.hlc);
  return { ...feedResponse(ctx, protocolVersion, request.cursor, request.limit), results };
}

export function pull(ctx: Ctx, request: PullRequest): PullResponse {
  const protocolVersion = negotiated(request.protocol_versions);
  return feedResponse(ctx, protocolVersion, request.cursor, request.limit);
}

function feedResponse(ctx: Ctx, protocolVersion: number, cursor: number, limit = DEFAULT_FEED_LIMIT): PullResponse {
  const page = readFeed(ctx, cursor, limit);
  return {
    protocol_version: protocolVersion,
    ...page,
    clock: vectorClock(ctx),
    pending_conflicts: countPending(ctx),
  };
}
