/**
 * createApp(): global middleware, the error envelope, and every feature mounted
 * under /api/v1. Requests for anything else fall through to the console's
 * static assets.
 */
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { AppError, codeForStatus, errorBody, errorResponse } from "./errors";
import { apiKeyRoutes } from "./features/api-keys/routes";
import { auditRoutes } from "./features/audit/routes";
import { authRoutes } from "./features/auth/routes";
import { configRoutes } from "./features/config/routes";
import { registerDocs } from "./features/docs/routes";
import { outboxRoutes } from "./features/email/routes";
import { eventRoutes } from "./features/events/routes";
import { graphRoutes } from "./features/graph/routes";
import { observabilityRoutes } from "./features/observability/routes";
import { userRoutes } from "./features/users/routes";
import { accessLog } from "./middleware/access-log";
import { defaultBodyLimit } from "./middleware/body";
import { requestContext } from "./middleware/request-context";
import { createRouter } from "./openapi";

/** Used by bench/ to measure the framework's floor against the full middleware stack. */
export const BASELINE_PATH = "/__baseline";

export function createApp() {
  const app = createRouter();

  // The bench's baseline: registered before any middleware, so it is bare Hono.
  app.get(BASELINE_PATH, (c) => (c.env.ENVIRONMENT === "development" ? c.text("ok") : c.notFound()));

  app.use("*", requestContext, accessLog);
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        c.json(errorBody("method_not_allowed", `Use ${allowed.join(", ")} on this path`, { allowed }), 405, {
          Allow: allowed.join(", "),
        }),
    }),
  );
  app.use("/api/*", defaultBodyLimit);

  const api = createRouter();
  const features = [
    authRoutes,
    userRoutes,
    apiKeyRoutes,
    auditRoutes,
    configRoutes,
    eventRoutes,
    outboxRoutes,
    graphRoutes,
  ];
  for (const routes of features) {
    api.route("/", routes);
  }
  app.route("/api/v1", api);
  app.route("/", observabilityRoutes);
  registerDocs(app);

  app.notFound((c) => {
    // Assets only answer reads; any other method here is unrouted, so methodNotAllowed can turn it into 405.
    const read = c.req.method === "GET" || c.req.method === "HEAD";
    if (c.req.path.startsWith("/api/") || !read)
      return c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404);
    return c.env.ASSETS.fetch(c.req.raw);
  });

  app.onError((err, c) => {
    if (err instanceof AppError) return errorResponse(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      const code = /malformed json/i.test(err.message) ? "malformed_json" : codeForStatus(err.status);
      return c.json(errorBody(code, err.message || code), err.status);
    }
    console.error(
      JSON.stringify({
        level: "error",
        msg: "unhandled error",
        request_id: c.var.requestId,
        route: c.req.routePath,
        error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      }),
    );
    return c.json(
      errorBody("internal_error", "Something went wrong on our side; quote the request id if you report it", {
        request_id: c.var.requestId,
      }),
      500,
    );
  });

  return app;
}

export type AppType = ReturnType<typeof createApp>;
