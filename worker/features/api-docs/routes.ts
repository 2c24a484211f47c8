/**
 * The API's own description: the OpenAPI 3.1 document generated from every
 * route's zod schemas, and a docs page (Swagger UI served from this Worker's
 * static assets, so it works offline).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../context";

const INFO = {
  title: "Edgewise API",
  version: "0.1.0",
  description:
    "Edge-native platform for AI agents and automation. Errors are always `{error:{code,message,details}}`. " +
    "Lists take `limit` and `cursor` and return `{items,next_cursor}`. Creating POSTs honour `Idempotency-Key`.",
};

export function registerApiDocs(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT or API key",
    description: "An access token from /api/v1/auth/login, or an API key (`ewk_…`) as a bearer token",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKeyAuth", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "An API key (`ewk_…`) from /api/v1/keys",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "The METRICS_TOKEN secret",
  });

  let document: unknown;
  app.get("/api/v1/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO, servers: [{ url: "/" }] });
    return c.json(document);
  });
  app.get("/api/docs", (c) => c.html(DOCS_PAGE));
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Edgewise API</title>
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css" />
</head>
<body>
  <div id="docs"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/docs-assets/init.js"></script>
</body>
</html>`;
