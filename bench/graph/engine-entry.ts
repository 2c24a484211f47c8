/**
 * Bundled by bench/graph-engine.mjs: the GraphSync engine alone (no Worker, no
 * HTTP, no Durable Object), on node:sqlite in memory, taking pushes of `batch`
 * creates and updates from one device — the ceiling the Durable Object works under.
 */
import { DatabaseSync } from "node:sqlite";
import { nodeSql } from "../../durable-objects/graph-sync/simulation/node-sqlite";
import { GraphStore } from "../../durable-objects/graph-sync/store";
import { push } from "../../durable-objects/graph-sync/sync";
import { type Change, PushRequest } from "../../shared/graph-sync/protocol";

export function measurePushes(batch: number, changes: number) {
  const sql = nodeSql(new DatabaseSync(":memory:"));
  const store = new GraphStore(sql, sql.transaction);
  const versions: string[] = [];
  let counter = 0;
  const change = (): Change => {
    counter++;
    const hlc = `${String(Date.now()).padStart(15, "0")}:${String(counter % 1_000_000).padStart(6, "0")}:bench`;
    const base = {
      client_change_id: `c${counter}`,
      counter,
      hlc,
      entity_type: "zone",
      content: { name: `Zone ${counter} shed` },
    };
    // Every other change updates an entity made earlier (a fast-forward), the rest create.
    const target = counter % 2 === 0 ? Math.floor(Math.random() * versions.length) : -1;
    if (target >= 0) {
      const parent = versions[target]!;
      versions[target] = `v${counter}`;
      return { ...base, op: "upsert", entity_id: `e${target}`, version: `v${counter}`, parents: [parent] };
    }
    versions.push(`v${counter}`);
    return { ...base, op: "upsert", entity_id: `e${versions.length - 1}`, version: `v${counter}`, parents: [] };
  };
  let validateMs = 0;
  let engineMs = 0;
  for (let done = 0; done < changes; done += batch) {
    const body = JSON.stringify({
      protocol_versions: [1],
      device_id: "bench",
      clock: {},
      cursor: 2 ** 40,
      changes: Array.from({ length: batch }, change),
    });
    let started = performance.now();
    const request = PushRequest.parse(JSON.parse(body));
    validateMs += performance.now() - started;
    started = performance.now();
    const { outcome } = store.write((ctx) => push(ctx, request), false);
    engineMs += performance.now() - started;
    if (!outcome.ok) throw new Error(outcome.message);
  }
  return {
    batch,
    changes,
    changes_per_s: Math.round(changes / ((validateMs + engineMs) / 1000)),
    validate_ms: Math.round(validateMs),
    engine_ms: Math.round(engineMs),
  };
}
