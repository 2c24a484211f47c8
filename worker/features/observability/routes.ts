/**
 * /health (the process answers), /ready (D1, R2 and the Durable Objects answer,
 * each timed) and /metrics (Prometheus text for the whole app, behind
 * METRICS_TOKEN). Mounted at the root, outside /api/v1, where scrapers expect them.
 */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../errors";
import { timingSafeEqual } from "../../lib/crypto";
import { bearerToken } from "../../middleware/auth";
import { createRoute, createRouter, errorResponses, jsonResponse } from "../../openapi";
import { userHub } from "../events/publish";
import { flushMetrics, metricsHub } from "./collector";

const CheckSchema = z.object({ ok: z.boolean(), latency_ms: z.number(), error: z.string().optional() });
const ReadySchema = z
  .object({ status: z.enum(["ok", "degraded"]), checks: z.record(z.string(), CheckSchema) })
  .openapi("Readiness");

async function timed(check: () => Promise<unknown>): Promise<z.infer<typeof CheckSchema>> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out after 2000 ms")), 2000);
  });
  try {
    await Promise.race([check(), deadline]);
    return { ok: true, latency_ms: Date.now() - started };
  } catch (error) {
    return {
      ok: false,
      latency_ms: Date.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

export const observabilityRoutes = createRouter();

observabilityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["Operations"],
    summary: "Liveness: the Worker answers",
    responses: { 200: jsonResponse("Alive", z.object({ status: z.literal("ok") }).openapi("Health")) },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);

observabilityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ready",
    tags: ["Operations"],
    summary: "Readiness: D1, R2, the live hub and the metrics hub each answer",
    responses: { 200: jsonResponse("Ready", ReadySchema), 503: jsonResponse("A dependency failed", ReadySchema) },
  }),
  async (c) => {
    const [d1, r2, hub, metrics] = await Promise.all([
      timed(() => c.env.DB.prepare("SELECT 1").first()),
      timed(() => c.env.FILES.head("__ready__")),
      timed(() => userHub(c.env, "__ready__").stats()),
      timed(() => metricsHub(c.env).ping()),
    ]);
    const checks = { d1, r2, hub, metrics };
    const ok = Object.values(checks).every((check) => check.ok);
    return ok ? c.json({ status: "ok" as const, checks }, 200) : c.json({ status: "degraded" as const, checks }, 503);
  },
);

observabilityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["Operations"],
    summary: "Prometheus metrics for the whole app (all isolates)",
    security: [{ metricsToken: [] }],
    responses: {
      200: { description: "Prometheus text format 0.0.4", content: { "text/plain": { schema: z.string() } } },
      ...errorResponses(401),
    },
  }),
  async (c) => {
    const presented = bearerToken(c.req.raw.headers) ?? "";
    if (!c.env.METRICS_TOKEN || !timingSafeEqual(presented, c.env.METRICS_TOKEN)) {
      throw new AppError(401, "invalid_metrics_token", "Send Authorization: Bearer <METRICS_TOKEN>", undefined, {
        "WWW-Authenticate": 'Bearer realm="metrics"',
      });
    }
    await flushMetrics(c.env);
    const text = await metricsHub(c.env).render();
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  },
);
