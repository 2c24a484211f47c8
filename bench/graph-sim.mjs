/**
 * `npm run bench:graph-sim -- --seeds 2000 [--from 1] [--devices 3-5] [--steps 250]`:
 * the randomized multi-device sync simulation over many more seeds than CI runs,
 * on Node's node:sqlite with the same engine and client code. Prints failing seeds
 * (replay one with --from N --seeds 1) and totals; exits 1 on any failure.
 */
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1000" },
    from: { type: "string", default: "1" },
    devices: { type: "string", default: "3-5" },
    steps: { type: "string", default: "250" },
  },
});

const outfile = join(tmpdir(), `edgewise-graph-sim-${process.pid}.mjs`);
await build({
  entryPoints: [join(here, "graph", "sim-entry.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  logLevel: "warning",
});
const { runSeed } = await import(pathToFileURL(outfile).href);

const [minDevices, maxDevices = minDevices] = values.devices.split("-").map(Number);
const from = Number(values.from);
const count = Number(values.seeds);
const started = performance.now();
const failed = [];
const totals = { writes: 0, delivered: 0, dropped: 0, duplicated: 0, late: 0, merged: 0, conflicts: 0 };
for (let seed = from; seed < from + count; seed++) {
  const devices = minDevices + (seed % (maxDevices - minDevices + 1));
  const result = await runSeed(seed, { devices, steps: Number(values.steps) });
  for (const key of Object.keys(totals)) totals[key] += result.stats[key];
  if (result.failures.length) {
    failed.push(seed);
    console.error(`seed ${seed} (${devices} devices): ${result.failures.slice(0, 3).join("; ")}`);
  }
  if ((seed - from + 1) % 100 === 0)
    process.stderr.write(`\r› ${seed - from + 1}/${count} runs, ${failed.length} failed`);
}
const seconds = (performance.now() - started) / 1000;
process.stderr.write("\n");
console.log(
  JSON.stringify({
    runs: count,
    failed: failed.length,
    failed_seeds: failed.slice(0, 50),
    seconds: Number(seconds.toFixed(1)),
    totals,
  }),
);
process.exit(failed.length ? 1 : 0);
