/**
 * Bundled by bench/graph-sim.mjs: runs seeded simulations of the graph sync
 * (the real client and engine) on node:sqlite, in memory, one database per run.
 */
import { DatabaseSync } from "node:sqlite";
import { nodeSql } from "../../durable-objects/graph-sync/simulation/node-sqlite";
import { storeServer } from "../../durable-objects/graph-sync/simulation/server";
import {
  type SimOptions,
  type SimResult,
  simClock,
  simulate,
} from "../../durable-objects/graph-sync/simulation/simulate";
import { GraphStore } from "../../durable-objects/graph-sync/store";

export async function runSeed(seed: number, options: Partial<SimOptions>): Promise<SimResult> {
  const db = new DatabaseSync(":memory:");
  const sql = nodeSql(db);
  const clock = simClock();
  let ids = 0;
  const store = new GraphStore(sql, sql.transaction, { now: () => clock.now, newId: () => `s${seed}-${++ids}` });
  try {
    return await simulate(seed, storeServer(store), clock, options);
  } finally {
    db.close();
  }
}
