/**
 * Starts the real app for the e2e suite: `wrangler dev` on a free port with a
 * fresh local state folder (migrations applied, demo accounts seeded), exactly
 * what `npm start` serves. Tests read its address with `inject("baseUrl")`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM module without types
import { applyMigrations, seedDemoAccounts } from "../../cli/dev/local-db.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    metricsToken: string;
  }
}

export const METRICS_TOKEN = "e2e-metrics-token";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become healthy in 90 s:\n${log()}`);
}

export default async function setup(project: TestProject) {
  const state = mkdtempSync(join(tmpdir(), "edgewise-e2e-"));
  applyMigrations(state);
  seedDemoAccounts(state);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      state,
      "--var",
      `APP_URL:${baseUrl}`,
      "--var",
      "JWT_SECRET:e2e-jwt-secret",
      "--var",
      `METRICS_TOKEN:${METRICS_TOKEN}`,
      "--var",
      "PBKDF2_ITERATIONS:1000",
      "--show-interactive-dev-session=false",
    ],
    {
      env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await waitForHealth(baseUrl, child, () => output.slice(-4000));
  project.provide("baseUrl", baseUrl);
  project.provide("metricsToken", METRICS_TOKEN);

  return () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    rmSync(state, { recursive: true, force: true });
  };
}
