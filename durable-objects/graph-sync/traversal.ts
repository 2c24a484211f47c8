/**
 * Graph traversal over live (not deleted) relationships between live entities:
 * an entity's neighbours, and paths between two entities up to a depth, both
 * optionally limited to some relationship types and a direction.
 */
import type { EntityState, RelationshipState } from "../../shared/graph-sync/protocol";
import { type Ctx, toRelationshipState } from "./context";
import { readEntity, requireEntity } from "./queries";
import type { RelationshipRow } from "./storage";

export type Direction = "out" | "in" | "both";
export type Neighbour = { direction: "out" | "in"; relationship: RelationshipState; entity: EntityState };

/** Most (entity, path) pairs a path search may expand before it stops. */
const MAX_EXPANSIONS = 20_000;

function edges(ctx: Pick<Ctx, "sql">, id: string, direction: Direction, types: readonly string[] | undefined) {
  const sides = direction === "both" ? ["out", "in"] : [direction];
  const typeFilter = types?.length ? "AND r.relationship_type IN (SELECT value FROM json_each(?))" : "";
  return sides.flatMap((side) => {
    const [mine, other] = side === "out" ? ["from_entity_id", "to_entity_id"] : ["to_entity_id", "from_entity_id"];
    return ctx.sql
      .exec<RelationshipRow>(
        `SELECT r.* FROM relationships r JOIN entities e ON e.id = r.${other}
         WHERE r.${mine} = ? AND r.deleted_at IS NULL AND e.deleted_at IS NULL ${typeFilter}
         ORDER BY r.relationship_type, r.${other}, r.id`,
        id,
        ...(types?.length ? [JSON.stringify(types)] : []),
      )
      .toArray()
      .map((row) => ({
        side: side as "out" | "in",
        row,
        next: side === "out" ? row.to_entity_id : row.from_entity_id,
      }));
  });
}

export function neighbours(
  ctx: Pick<Ctx, "sql">,
  id: string,
  options: { direction: Direction; types?: readonly string[]; limit: number },
): { entity: EntityState; neighbours: Neighbour[]; truncated: boolean } {
  const entity = requireEntity(ctx, id);
  const found = edges(ctx, id, options.direction, options.types);
  const list = found.slice(0, options.limit).map(({ side, row, next }) => ({
    direction: side,
    relationship: toRelationshipState(row),
    entity: readEntity(ctx, next)!,
  }));
  return { entity, neighbours: list, truncated: found.length > options.limit };
}

export type GraphPath = { length: number; entities: string[]; relationships: string[] };

/**
 * Simple paths from `from` to `to` of at most `maxDepth` hops, shortest first
 * (breadth-first over partial paths), at most `limit` of them.
 */
export function findPaths(
  ctx: Pick<Ctx, "sql">,
  from: string,
  to: string,
  options: { maxDepth: number; direction: Direction; types?: readonly string[]; limit: number },
): { paths: GraphPath[]; truncated: boolean } {
  requireEntity(ctx, from);
  requireEntity(ctx, to);
  if (from === to) return { paths: [{ length: 0, entities: [from], relationships: [] }], truncated: false };
  const adjacency = new Map<string, ReturnType<typeof edges>>();
  const edgesOf = (id: string) => {
    const known = adjacency.get(id);
    if (known) return known;
    const list = edges(ctx, id, options.direction, options.types);
    adjacency.set(id, list);
    return list;
  };
  const paths: GraphPath[] = [];
  let queue: GraphPath[] = [{ length: 0, entities: [from], relationships: [] }];
  let expansions = 0;
  while (queue.length && paths.length < options.limit) {
    const next: GraphPath[] = [];
    for (const path of queue) {
      const last = path.entities.at(-1)!;
      for (const edge of edgesOf(last)) {
        if (path.entities.includes(edge.next)) continue;
        if (++expansions > MAX_EXPANSIONS) return { paths, truncated: true };
        const longer = {
          length: path.length + 1,
          entities: [...path.entities, edge.next],
          relationships: [...path.relationships, edge.row.id],
        };
        if (edge.next === to) {
          paths.push(longer);
          if (paths.length >= options.limit) return { paths, truncated: true };
        } else if (longer.length < options.maxDepth) next.push(longer);
      }
    }
    queue = next;
  }
  return { paths, truncated: false };
}
