/**
 * What must hold when a simulated run has settled:
 * 1. every device's outbox is empty and nothing was refused;
 * 2. every replica equals the authority (entities, relationships, conflicts);
 * 3. no write is lost: each entity write is a version the authority keeps, and is
 *    either behind the current version or held by a pending conflict; every merge
 *    behind a current version has its conflict record (so the side that lost a
 *    field is on record); every relationship write is in the change log, and each
 *    one settled against another is in a conflict record;
 * 4. retries and duplicates applied nothing twice: one change-log row per change.
 */
import type { SyncClient } from "../../../shared/graph-sync/client";
import type { Change } from "../../../shared/graph-sync/protocol";
import { canonicalJson } from "../merge";
import type { ServerSnapshot, VersionNode } from "./server";

export type SimDevice = { name: string; client: SyncClient; written: Change[] };

const entityKey = (e: { id: string; type: string; version: string; deleted: boolean; content: unknown }) =>
  canonicalJson({ id: e.id, type: e.type, version: e.version, deleted: e.deleted, content: e.content });
const relationshipKey = (r: {
  id: string;
  from_id: string;
  to_id: string;
  type: string;
  deleted: boolean;
  properties: unknown;
  hlc: string;
}) => canonicalJson({ ...r, created_at: undefined, updated_at: undefined });
const conflictKey = (c: {
  id: string;
  resolution_status: string;
  local_version: string;
  resolved_version: string | null;
}) => canonicalJson({ id: c.id, status: c.resolution_status, local: c.local_version, resolved: c.resolved_version });

function diff(label: string, server: string[], device: string[]): string[] {
  const have = new Set(device);
  const want = new Set(server);
  const missing = server.filter((key) => !have.has(key));
  const extra = device.filter((key) => !want.has(key));
  if (!missing.length && !extra.length) return [];
  return [`${label}: ${missing.length} missing, ${extra.length} extra; e.g. ${missing[0] ?? ""} / ${extra[0] ?? ""}`];
}

function ancestors(versions: Map<string, VersionNode>, starts: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length) {
    const version = stack.pop()!;
    if (seen.has(version)) continue;
    seen.add(version);
    stack.push(...(versions.get(version)?.parents ?? []));
  }
  return seen;
}

function checkConvergence(snapshot: ServerSnapshot, devices: SimDevice[]): string[] {
  const failures: string[] = [];
  const entities = snapshot.entities.map(entityKey).sort();
  const relationships = snapshot.relationships.map(relationshipKey).sort();
  const conflicts = snapshot.conflicts.map(conflictKey).sort();
  for (const { name, client } of devices) {
    if (client.replica.outboxSize())
      failures.push(`${name}: ${client.replica.outboxSize()} changes never acknowledged`);
    for (const entry of client.replica.rejected())
      failures.push(`${name}: change refused: ${entry.code} ${entry.message}`);
    failures.push(
      ...diff(`${name} entities`, entities, client.entities({ includeDeleted: true }).map(entityKey).sort()),
    );
    failures.push(
      ...diff(`${name} relationships`, relationships, client.relationships(true).map(relationshipKey).sort()),
    );
    failures.push(...diff(`${name} conflicts`, conflicts, client.conflicts().map(conflictKey).sort()));
  }
  return failures;
}

function checkEntityWrites(snapshot: ServerSnapshot, devices: SimDevice[]): string[] {
  const failures: string[] = [];
  const heads = new Map(snapshot.entities.map((e) => [e.id, e.version]));
  const pendingHeld = new Map<string, Set<string>>();
  for (const conflict of snapshot.conflicts) {
    if (conflict.resolution_status !== "pending") continue;
    const held = pendingHeld.get(conflict.entity_id) ?? new Set<string>();
    for (const version of ancestors(snapshot.versions, [conflict.local_version])) held.add(version);
    pendingHeld.set(conflict.entity_id, held);
  }
  const behindHead = new Map<string, Set<string>>();
  for (const [id, head] of heads) behindHead.set(id, ancestors(snapshot.versions, [head]));
  const recordedMerges = new Set(snapshot.conflicts.map((c) => c.resolved_version));
  for (const [version, node] of snapshot.versions) {
    if (node.source === "merge" && !recordedMerges.has(version))
      failures.push(`merge ${version} has no conflict record`);
  }
  for (const { name, written } of devices) {
    for (const change of written) {
      if (change.op !== "upsert" && change.op !== "delete") continue;
      if (!snapshot.versions.has(change.version)) {
        failures.push(`${name}: write ${change.version} to ${change.entity_id} is not kept`);
      } else if (
        !behindHead.get(change.entity_id)?.has(change.version) &&
        !pendingHeld.get(change.entity_id)?.has(change.version)
      ) {
        failures.push(`${name}: write ${change.version} to ${change.entity_id} is neither current history nor pending`);
      }
    }
  }
  return failures;
}

function checkLog(snapshot: ServerSnapshot, devices: SimDevice[]): string[] {
  if (!snapshot.changeLog) return [];
  const failures: string[] = [];
  const rows = new Map<string, number>();
  for (const row of snapshot.changeLog) {
    if (!row.client_change_id) continue;
    const key = `${row.device_id}/${row.client_change_id}`;
    rows.set(key, (rows.get(key) ?? 0) + 1);
  }
  const onRecord = new Set(snapshot.conflicts.flatMap((c) => [c.local_version, c.remote_version]));
  for (const { name, written } of devices) {
    for (const change of written) {
      const count = rows.get(`${name}/${change.client_change_id}`) ?? 0;
      if (count !== 1) failures.push(`${name}: change ${change.client_change_id} logged ${count} times`);
      if (change.op !== "link" && change.op !== "unlink") continue;
      const logged = snapshot.changeLog.find((row) => row.client_change_id === change.client_change_id);
      if (logged?.outcome === "merged" && !onRecord.has(change.hlc)) {
        failures.push(`${name}: settled relationship write ${change.hlc} has no conflict record`);
      }
    }
  }
  return failures;
}

export function checkSettled(snapshot: ServerSnapshot, devices: SimDevice[]): string[] {
  return [
    ...checkConvergence(snapshot, devices),
    ...checkEntityWrites(snapshot, devices),
    ...checkLog(snapshot, devices),
  ];
}
