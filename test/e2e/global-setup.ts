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

export default async function setup(project: TestProject) {
  const server = (await startDevServer({
    vars: { JWT_SECRET: "e2e-jwt-secret", METRICS_TOKEN, PBKDF2_ITERATIONS: "1000" },
  })) as { baseUrl: string; stop: () => void };
  project.provide("baseUrl", server.baseUrl);
  project.provide("metricsToken", METRICS_TOKEN);
  return () => server.stop();
}
