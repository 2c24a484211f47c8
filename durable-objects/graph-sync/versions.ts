/**
 * The version graph of one entity: each version names its parents, so whether one
 * write saw another, and where two writes last agreed, are questions of ancestry.
 * Used by apply-entity.ts to tell fast-forwards from concurrent writes.
 */
import type { SqlLike, VersionRow } from "./storage";

export function getVersion(sql: SqlLike, version: string): VersionRow | null {
  return sql.exec<VersionRow>("SELECT * FROM entity_versions WHERE version = ?", version).toArray()[0] ?? null;
}

export const parentsOf = (row: VersionRow) => JSON.parse(row.parent_versions) as string[];

/** Every version reachable from `starts` through parents, the starts included. */
export function ancestorsOf(sql: SqlLike, starts: readonly string[]): Set<string> {
  if (starts.length === 0) return new Set();
  const rows = sql
    .exec<{ v: string }>(
      `WITH RECURSIVE anc(v) AS (
         SELECT value FROM json_each(?)
         UNION
         SELECT p.value FROM anc JOIN entity_versions ev ON ev.version = anc.v, json_each(ev.parent_versions) p)
       SELECT v FROM anc`,
      JSON.stringify(starts),
    )
    .toArray();
  return new Set(rows.map((row) => row.v));
}

/**
 * The latest common ancestor of two versions: walks back from `b` breadth-first
 * and returns the first version that is also an ancestor of `a` (null if none).
 */
export function commonAncestor(sql: SqlLike, a: string, b: readonly string[]): string | null {
  const ofA = ancestorsOf(sql, [a]);
  const seen = new Set<string>();
  let frontier = [...b];
  while (frontier.length) {
    const next: string[] = [];
    for (const version of frontier) {
      if (ofA.has(version)) return version;
      if (seen.has(version)) continue;
      seen.add(version);
      const row = getVersion(sql, version);
      if (row) next.push(...parentsOf(row));
    }
    frontier = next;
  }
  return null;
}
