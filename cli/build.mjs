/**
 * Bundles the `edgewise` CLI (cli/src/main.ts and its dependencies) into one ESM
 * file, cli/dist/edgewise.mjs, that cli/bin/edgewise.mjs loads. Run: npm run build:cli.
 * Outputs are renamed into place, so a CLI starting mid-build never reads half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));

const result = await build({
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(here, "dist", "edgewise.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  sourcemap: "linked",
  legalComments: "none",
  // Minified, start-up is ~0.1 s instead of ~0.3 s; EDGEWISE_DEBUG=1 maps stack traces back via the source map.
  minify: true,
  define: { EDGEWISE_VERSION: JSON.stringify(version) },
  logLevel: "warning",
  write: false,
});

for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  const temp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temp, file.contents);
  renameSync(temp, file.path);
}
