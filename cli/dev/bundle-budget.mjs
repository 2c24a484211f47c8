/**
 * Checks that `wrangler deploy` would accept the Worker: bundles it with
 * `wrangler deploy --dry-run` (no account needed), prints the upload size wrangler
 * reports, and exits 1 when the gzipped upload is over the budget in package.json
 * (`edgewise.bundleBudgetGzipKiB`: Cloudflare's free plan takes 3 MiB gzipped). Run by .ci/run.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const budget = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).edgewise.bundleBudgetGzipKiB;
const out = mkdtempSync(join(tmpdir(), "edgewise-bundle-"));
// The assets folder must exist for wrangler to read its configuration; `npm run build` fills it.
mkdirSync(join(ROOT, "web/dist"), { recursive: true });
const run = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
  cwd: ROOT,
  encoding: "utf8",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
rmSync(out, { recursive: true, force: true });
const output = `${run.stdout}${run.stderr}`;
const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
if (run.status !== 0 || !size) {
  console.error(output);
  console.error("bundle: wrangler deploy --dry-run failed");
  process.exit(1);
}
const [raw, gzip] = [Number(size[1]), Number(size[2])];
console.log(`bundle: ${raw.toFixed(0)} KiB, ${gzip.toFixed(0)} KiB gzipped (budget ${budget} KiB gzipped)`);
if (gzip > budget) {
  console.error(`bundle: over budget by ${(gzip - budget).toFixed(0)} KiB`);
  process.exit(1);
}
