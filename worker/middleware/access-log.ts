/**
 * One structured JSON log line and one metrics sample per request. The route
 * label is the matched pattern (`/api/v1/keys/:id`), never the raw path, so
 * metrics stay bounded; paths are logged without their query string, which may
 * carry a connect ticket. Credentials are never logged. Authenticated requests
 * also count towards their user's daily API calls (features/usage/api-calls.ts).
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../context";
import { increment, observe, scheduleFlush } from "../features/observability/collector";
import { countApiCall } from "../features/usage/api-calls";

export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  // Inside workerd, performance.now() only advances across I/O, which is what a request waits on.
  const seconds = (performance.now() - started) / 1000;
  const status = c.res.status;
  const matched = routePath(c, -1);
  const route = matched.endsWith("*") ? "unmatched" : matched;
  const method = c.req.method;
  increment("http_requests_total", { method, route, status: String(status) });
  observe("http_request_duration_seconds", { method, route }, seconds);
  if (status === 429) increment("rate_limited_total", { route });
  console.log(
    JSON.stringify({
      level: status >= 500 ? "error" : "info",
      msg: "request",
      request_id: c.var.requestId,
      method,
      path: c.req.path,
      route,
      status,
      duration_ms: Math.round(seconds * 1000 * 10) / 10,
      user_id: c.var.principal?.userId ?? null,
    }),
  );
  scheduleFlush(c.executionCtx, c.env);
  if (c.var.principal) countApiCall(c.executionCtx, c.env, c.var.principal.userId);
};
