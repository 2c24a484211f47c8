/**
 * Pure conflict settlement, no storage: last-writer-wins by hybrid logical clock and
 * a field-level three-way merge of JSON content against the common ancestor.
 * GraphStore (apply-entity.ts) calls these; merge.test.ts tests them directly.
 */

export type JsonObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

const same = (a: unknown, b: unknown) => a === b || canonicalJson(a) === canonicalJson(b);

/** One side of a concurrent write: its version, when it was written, and whether it deletes. */
export type Side = { version: string; hlc: string; deleted: boolean; content: JsonObject | null };

/** True when `local` is the later write: HLC first, then the version id, so every replica agrees. */
export function localIsLater(local: Side, remote: Side): boolean {
  if (local.hlc !== remote.hlc) return local.hlc > remote.hlc;
  return local.version > remote.version;
}

export type Clash = { path: string; local: unknown; remote: unknown; winner: "local" | "remote" };

function mergeValue(base: unknown, local: unknown, remote: unknown, path: string, state: MergeState): unknown {
  if (same(local, remote)) return local;
  if (same(base, local)) return remote;
  if (same(base, remote)) return local;
  if (isPlainObject(local) && isPlainObject(remote) && (base === undefined || isPlainObject(base))) {
    return mergeObjects(base as JsonObject | undefined, local, remote, path, state);
  }
  const winner = state.localWins ? "local" : "remote";
  state.clashes.push({ path: path || "(root)", local, remote, winner });
  return state.localWins ? local : remote;
}

type MergeState = { localWins: boolean; clashes: Clash[] };

function mergeObjects(
  base: JsonObject | undefined,
  local: JsonObject,
  remote: JsonObject,
  path: string,
  state: MergeState,
): JsonObject {
  const keys = [...new Set([...Object.keys(local), ...Object.keys(remote)])].sort();
  const merged: JsonObject = {};
  for (const key of keys) {
    const value = mergeValue(base?.[key], local[key], remote[key], path ? `${path}.${key}` : key, state);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Three-way merge: a field only one side changed takes that side's value (a field
 * removed on one side stays removed); a field both changed differently goes to the
 * later writer and is reported as a clash. Objects merge key by key; arrays and
 * scalars are whole values.
 */
export function threeWayMerge(
  base: JsonObject | null,
  local: JsonObject,
  remote: JsonObject,
  localWins: boolean,
): { content: JsonObject; clashes: Clash[] } {
  const state: MergeState = { localWins, clashes: [] };
  const content = mergeObjects(base ?? undefined, local, remote, "", state);
  return { content, clashes: state.clashes };
}

export type Settlement = {
  deleted: boolean;
  content: JsonObject | null;
  hlc: string;
  winner: "local" | "remote" | "both";
  clashes: Clash[];
};

/**
 * Settles two concurrent writes automatically. `merge` merges field by field when
 * both sides keep the entity, and falls back to the later writer when one deletes;
 * `lww` takes the later writer whole. The result carries the later HLC of the two.
 */
export function settle(strategy: "merge" | "lww", base: Side | null, local: Side, remote: Side): Settlement {
  const later = localIsLater(local, remote);
  const hlc = later ? local.hlc : remote.hlc;
  if (local.deleted && remote.deleted) return { deleted: true, content: null, hlc, winner: "both", clashes: [] };
  if (strategy === "merge" && local.content && remote.content) {
    const baseContent = base && !base.deleted ? base.content : null;
    const { content, clashes } = threeWayMerge(baseContent, local.content, remote.content, later);
    return { deleted: false, content, hlc, winner: "both", clashes };
  }
  const winner = later ? local : remote;
  return { deleted: winner.deleted, content: winner.content, hlc, winner: later ? "local" : "remote", clashes: [] };
}

/** JSON Merge Patch (RFC 7396): `null` removes a field, objects merge, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
