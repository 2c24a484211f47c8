/**
 * `node bench/graph-engine.mjs [--changes 20000]`: push throughput of the GraphSync
 * engine alone (validation + apply in one transaction per push) on node:sqlite,
 * by batch size. Compare with bench/graph-bench.mjs, which goes through `wrangler dev`.
 */
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { changes: { type: "string", default: "20000" } } });
const outfile = join(tmpdir(), `edgewise-graph-engine-${process.pid}.mjs`);
await build({
  entryPoints: [join(here, "graph", "engine-entry.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  logLevel: "warning",
});
const { measurePushes } = await import(pathToFileURL(outfile).href);
measurePushes(50, 2000); // warm-up
const rows = [1, 50, 500].map((batch) => measurePushes(batch, batch === 1 ? 2000 : Number(values.changes)));
console.log(JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2));
