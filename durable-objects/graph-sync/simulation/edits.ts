/**
 * Random local edits for the simulation, over one entity type per strategy
 * (rooms and devices merge, schedules are last-writer-wins, notes are manual):
 * create, change a field or two, delete, link, change a link, unlink, and resolve
 * a pending conflict on the device itself. Refused local writes are skipped.
 */
import { LocalWriteError, type SyncClient } from "../../../shared/graph-sync/client";
import type { EntityState } from "../../../shared/graph-sync/protocol";
import type { Rng } from "./prng";

const WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper"];
const TYPES = ["room", "device", "schedule", "note"] as const;
const RELATIONS = ["located_in", "contains", "controls", "related_to"] as const;

function fieldChange(rng: Rng, type: string): [string, unknown] {
  const word = rng.pick(WORDS);
  switch (type) {
    case "room":
      return rng.pick<[string, unknown]>([
        ["name", `Room ${word}`],
        ["floor", rng.int(4)],
        ["description", rng.chance(0.2) ? undefined : `${word} ${rng.int(100)}`],
        ["attributes", { paint: word, lights: rng.int(5) }],
      ]);
    case "device":
      return rng.pick<[string, unknown]>([
        ["name", `Device ${word}`],
        ["category", rng.pick(["light", "sensor", "lock"])],
        ["state", { power: rng.chance(0.5), level: rng.int(100) }],
        ["firmware", rng.chance(0.2) ? undefined : `v${rng.int(9)}`],
      ]);
    case "schedule":
      return rng.pick<[string, unknown]>([
        ["cron", `${rng.int(60)} ${rng.int(24)} * * *`],
        ["enabled", rng.chance(0.5)],
        ["name", `Schedule ${word}`],
      ]);
    default:
      return rng.pick<[string, unknown]>([
        ["body", `${word} ${rng.int(1000)}`],
        ["name", `Note ${word}`],
        ["tags", [word]],
      ]);
  }
}

function initial(rng: Rng, type: (typeof TYPES)[number]): Record<string, unknown> {
  const name = `${type} ${rng.pick(WORDS)}`;
  if (type === "schedule") return { name, cron: "0 3 * * *", enabled: true };
  if (type === "note") return { name, body: rng.pick(WORDS) };
  return { name };
}

function changed(rng: Rng, entity: EntityState): Record<string, unknown> {
  const content = { ...entity.content };
  for (let i = 1 + rng.int(2); i > 0; i--) {
    const [field, value] = fieldChange(rng, entity.type);
    if (value === undefined) delete content[field];
    else content[field] = value;
  }
  return content;
}

/** One random local write on `client`; false if there was nothing sensible to do or the client refused it. */
export function randomEdit(rng: Rng, client: SyncClient): boolean {
  const entities = client.entities();
  const relationships = client.relationships();
  const pending = client.conflicts("pending").filter((c) => c.subject === "entity");
  const action = rng.weighted({
    create: entities.length < 3 ? 3 : 0.2,
    update: 0.42,
    remove: 0.05,
    link: 0.1,
    relink: 0.05,
    unlink: 0.05,
    resolve: pending.length ? 0.1 : 0,
  });
  try {
    switch (action) {
      case "create": {
        const type = rng.pick(TYPES);
        client.create(type, initial(rng, type));
        return true;
      }
      default:
        return edit(rng, client, action, entities, relationships, pending);
    }
  } catch (error) {
    if (error instanceof LocalWriteError) return false;
    throw error;
  }
}

function edit(
  rng: Rng,
  client: SyncClient,
  action: string,
  entities: EntityState[],
  relationships: ReturnType<SyncClient["relationships"]>,
  pending: ReturnType<SyncClient["conflicts"]>,
): boolean {
  if (action === "resolve") {
    const choice = rng.pick(["local", "remote", "mine"] as const);
    client.resolve(
      rng.pick(pending).id,
      choice === "mine" ? { content: { name: "resolved", body: "by hand" } } : choice,
    );
    return true;
  }
  if (action === "unlink" || action === "relink") {
    if (!relationships.length) return false;
    const link = rng.pick(relationships);
    if (action === "unlink") client.unlink(link.id);
    else client.link(link.from_id, link.to_id, link.type, { weight: rng.int(10) }, link.id);
    return true;
  }
  if (!entities.length) return false;
  const entity = rng.pick(entities);
  if (action === "remove") client.remove(entity.id);
  else if (action === "link") {
    const other = rng.pick(entities);
    if (other.id === entity.id) return false;
    client.link(entity.id, other.id, rng.pick(RELATIONS), {});
  } else client.update(entity.id, changed(rng, entity));
  return true;
}
