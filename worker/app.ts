/**
 * createApp(): global middleware, the error envelope, and every feature mounted
 * under /api/v1. Requests for anything else fall through to the console's
 * static assets.
 */
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { AppError, codeForStatus, errorBody, errorResponse } from "./errors";
import { agentRoutes } from "./features/agents/routes";
import { registerApiDocs } from "./features/api-docs/routes";
import { apiKeyRoutes } from "./features/api-keys/routes";
import { auditRoutes } from "./features/audit/routes";
import { authRoutes } from "./features/auth/routes";
import { deadLetterRoutes } from "./features/automation/dead-letters/routes";
import { historyRoutes } from "./features/automation/event-history/routes";
import { scheduleRoutes } from "./features/automation/schedules/routes";
import { taskRoutes } from "./features/automation/tasks/routes";
import { webhookRoutes } from "./features/automation/webhooks/routes";
import { workflowRoutes } from "./features/automation/workflows/routes";
import { liveSessionRoutes } from "./features/chat-sessions/live-routes";
import { sessionRoutes } from "./features/chat-sessions/routes";
import { configRoutes } from "./features/config/routes";
import { documentRoutes } from "./features/documents/routes";
import { devOutboxRoutes } from "./features/email/dev-outbox-routes";
import { eventRoutes } from "./features/events/routes";
import { extensionRoutes } from "./features/extensions/routes";
import { fileRoutes } from "./features/files/routes";
import { graphRoutes } from "./features/graph/routes";
import { knowledgeRoutes } from "./features/knowledge/routes";
import { mcpRoutes } from "./features/mcp/routes";
import { memoryRoutes } from "./features/memory/routes";
import { modelRoutes } from "./features/models/routes";
import { observabilityRoutes } from "./features/observability/routes";
import { searchRoutes } from "./features/search/routes";
import { toolRoutes } from "./features/tools/routes";
import { usageRoutes } from "./features/usage/routes";
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
  const automation = [taskRoutes, workflowRoutes, scheduleRoutes, deadLetterRoutes, webhookRoutes, historyRoutes];
  const features = [
    authRoutes,
    userRoutes,
    apiKeyRoutes,
    auditRoutes,
    configRoutes,
    eventRoutes,
    devOutboxRoutes,
    modelRoutes,
    agentRoutes,
    usageRoutes,
    searchRoutes,
    toolRoutes,
    extensionRoutes,
    sessionRoutes,
    liveSessionRoutes,
    ...automation,
    fileRoutes,
    documentRoutes,
    memoryRoutes,
    knowledgeRoutes,
    graphRoutes,
  ];
  for (const routes of features) {
    api.route("/", routes);
  }
  app.route("/api/v1", api);
  app.route("/", observabilityRoutes);
  // MCP clients expect the endpoint at the root, beside the API rather than under it.
  app.route("/", mcpRoutes);
  registerApiDocs(app);

  app.notFound((c) => {
    // Assets only answer reads; any other method here is unrouted, so methodNotAllowed can turn it into 405.
    const read = c.req.method === "GET" || c.req.method === "HEAD";
    if (c.req.path.startsWith("/api/") || c.req.path === "/mcp" || !read)
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
