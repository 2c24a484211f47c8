/**
 * Starts the real app as `npm start` serves it — `wrangler dev` with a fresh local
 * state folder, migrations applied and demo accounts seeded — on a free port.
 * Used by the e2e test suite (test/e2e/global-setup.ts) and the bench (bench/run.mjs).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, developmentVars, seedDemoAccounts } from "./local-db.mjs";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child, log) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become healthy in 90 s:\n${log()}`);
}

/**
 * @param {{ vars?: Record<string, string> }} options extra `--var`s (secrets included)
 * @returns {Promise<{ baseUrl: string, stop: () => void }>}
 */
export async function startDevServer(options = {}) {
  const state = mkdtempSync(join(tmpdir(), "edgewise-dev-"));
  applyMigrations(state);
  seedDemoAccounts(state, Number(options.vars?.PBKDF2_ITERATIONS ?? 100_000));
  const port = await freePort();
  const inspectorPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const vars = { ...developmentVars(baseUrl), ...options.vars };
  const args = [
    "wrangler",
    "dev",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
  ];
  args.push("--persist-to", state, "--show-interactive-dev-session=false");
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  let output = "";
  const child = spawn("npx", args, {
    env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, () => output.slice(-4000));
  } catch (error) {
    stop();
    throw error;
  }
  return { baseUrl, stop };
}
