/**
 * Starts the real app for the e2e suite (`wrangler dev` with fresh local state,
 * migrations applied, demo accounts seeded), exactly what `npm start` serves.
 * Tests read its address with `inject("baseUrl")`.
 */
import type { TestProject } from "vitest/node";
// @ts-expect-error plain ESM module without types
import { startDevServer } from "../../cli/dev/dev-server.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    metricsToken: string;
  }
}

const METRICS_TOKEN = "e2e-metrics-token";

/**
 * Every e2e test logs in from 127.0.0.1, so the per-IP auth limit (30/min) would
 * couple unrelated tests; raise it as an admin would. Its 429 is tested in workerd.
 */
async function allowManyLogins(baseUrl: string) {
  const post = (path: string, body: unknown, token?: string, method = "POST") =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const login = await post("/api/v1/auth/login", { email: "admin@edgewise.dev", password: "edgewise-admin-pass" });
  const { access_token } = (await login.json()) as { access_token: string };
  const limits = {
    auth_per_ip: { limit: 10_000, window_seconds: 60 },
    api_per_principal: { limit: 10_000, window_seconds: 60 },
  };
  const res = await post("/api/v1/admin/config/rate_limits", { value: limits }, access_token, "PUT");
  if (!res.ok) throw new Error(`could not raise e2e rate limits: ${res.status} ${await res.text()}`);
}

export default async function setup(project: TestProject) {
  const server = (await startDevServer({
    vars: { JWT_SECRET: "e2e-jwt-secret", METRICS_TOKEN, PBKDF2_ITERATIONS: "1000" },
  })) as { baseUrl: string; stop: () => void };
  await allowManyLogins(server.baseUrl);
  project.provide("baseUrl", server.baseUrl);
  project.provide("metricsToken", METRICS_TOKEN);
  return () => server.stop();
}
