/**
 * The router every feature builds on: an OpenAPIHono whose validation hook turns
 * zod failures into the error envelope, and `securedRoute`, which gives a route its
 * security requirement, its auth + scope middleware and its documented errors.
 */
import { createRoute, OpenAPIHono, type RouteConfig, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { AppError, describeZodIssues, ErrorSchema } from "./errors";
import type { Scope } from "./features/auth/scopes";
import { authenticate, requireScopes } from "./middleware/auth";

/** How validation targets are named in error messages. */
const TARGET_NAMES: Record<string, string> = {
  json: "request body",
  form: "form body",
  query: "query parameters",
  param: "path parameters",
  header: "headers",
  cookie: "cookies",
};

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = describeZodIssues(result.error);
        const first = issues[0] ? `: ${issues[0].path}: ${issues[0].message}` : "";
        const target = TARGET_NAMES[result.target] ?? result.target;
        throw new AppError(400, "validation_failed", `Invalid ${target}${first}`, issues);
      }
    },
  });
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed or invalid input",
  401: "Missing or invalid credentials",
  403: "Authenticated but not allowed",
  404: "No such resource (or not yours)",
  409: "Conflicts with the current state",
  413: "Body too large",
  415: "Unsupported content type",
  422: "Well-formed but not processable",
  426: "Upgrade to WebSocket required",
  429: "Rate limited; see Retry-After",
  503: "A dependency is unavailable",
};

type ErrorResponse = { description: string; content: { "application/json": { schema: typeof ErrorSchema } } };

/** Documented error responses, all with the envelope schema. */
export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status] ?? "Error", content: { "application/json": { schema: ErrorSchema } } },
    ]),
  ) as { [K in S[number]]: ErrorResponse };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { "application/json": { schema } } } };
}

/** A JSON response with its schema. */
export function jsonResponse<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { "application/json": { schema } } };
}

/** Either credential works on authenticated routes: a session JWT or an API key. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKeyAuth: [] }];

type SecuredConfig = Omit<RouteConfig, "security"> & { scopes?: readonly Scope[] };

/**
 * `createRoute` for authenticated routes: the caller must present a JWT or API key
 * holding every scope in `scopes`; 401/403/429 are documented for it.
 */
export function securedRoute<R extends SecuredConfig>(config: R) {
  const { scopes = [], ...route } = config;
  const needs = scopes.length ? `\n\nRequires scope: ${scopes.map((s) => `\`${s}\``).join(", ")}.` : "";
  const extra: MiddlewareHandler<AppEnv>[] = route.middleware
    ? ([route.middleware].flat() as MiddlewareHandler<AppEnv>[])
    : [];
  return createRoute({
    ...route,
    description: `${route.description ?? route.summary ?? ""}${needs}`,
    security: AUTHENTICATED,
    middleware: [authenticate, requireScopes(scopes), ...extra],
    responses: { ...errorResponses(400, 401, 403, 429), ...route.responses },
  });
}

export { createRoute };
