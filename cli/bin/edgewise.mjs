#!/usr/bin/env node
/**
 * Launcher for the `edgewise` command: makes sure it runs on Node 22+ (handing
 * over to the project's own Node 22 from node_modules when the system's is older),
 * then loads the bundle that `npm run build:cli` writes to cli/dist/edgewise.mjs.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const major = Number(process.versions.node.split(".")[0]);

if (major < 22) {
  const projectNode = fileURLToPath(new URL("../../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(projectNode)) {
    process.stderr.write(`error: edgewise needs Node 22 or newer, this is ${process.version} (node_version)\n`);
    process.exit(1);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // Ctrl-C reaches the child from the terminal (same process group): only stay alive for its exit code.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
} else {
  // The bundle is minified; with EDGEWISE_DEBUG set, stack traces point into cli/src instead.
  if (process.env.EDGEWISE_DEBUG) process.setSourceMapsEnabled(true);
  try {
    await import("../dist/edgewise.mjs");
  } catch (error) {
    const missing =
      error instanceof Error &&
      "code" in error &&
      error.code === "ERR_MODULE_NOT_FOUND" &&
      error.message.includes("edgewise.mjs");
    if (!missing) throw error;
    process.stderr.write("error: the edgewise CLI is not built yet; run `npm run build:cli` first (not_built)\n");
    process.exit(1);
  }
}
