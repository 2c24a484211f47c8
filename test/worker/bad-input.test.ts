/**
 * The bad-input table: every operation in the served OpenAPI document gets
 * malformed JSON, wrong types, missing fields, a wrong content type and an
 * oversize body (routes with a JSON body), garbage path and query values, and
 * no credentials (secured routes). New routes join the table automatically.
 * Whatever comes back is never a 500, every error is the envelope, and none of
 * it changes a row in D1.
 */

import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { flushApiCalls } from "../../worker/features/usage/api-calls";
import { BASE, type CallOptions, call, createUser, type TestUser } from "./support/api";
import { snapshot } from "./support/db";
import { type ErrorEnvelope, expectError, isErrorEnvelope } from "./support/envelope";

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  enum?: unknown[];
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};
type Parameter = { name: string; in: "path" | "query" | "header" | "cookie"; required?: boolean; schema: Schema };
type Operation = {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
};
type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const DEFAULT_BODY_LIMIT = 1024 * 1024;

const doc = (await (await call("/api/v1/openapi.json")).json()) as OpenApiDocument;

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  const target = doc.components.schemas[name];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return resolve(target);
}

type Route = { label: string; method: string; path: string; operation: Operation };

const routes: Route[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({
    label: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    operation: item[method]!,
  })),
);

const jsonSchemaOf = (route: Route) => {
  const schema = route.operation.requestBody?.content["application/json"]?.schema;
  return schema ? resolve(schema) : undefined;
};
const params = (route: Route, where: Parameter["in"]) =>
  (route.operation.parameters ?? []).filter((p) => p.in === where);
const schemes = (route: Route) => (route.operation.security ?? []).map((requirement) => Object.keys(requirement));
/** Secured: every listed security requirement names a scheme (none is the anonymous `{}`). */
const isSecured = (route: Route) => schemes(route).length > 0 && schemes(route).every((names) => names.length > 0);

const bodyRoutes = routes.filter((route) => jsonSchemaOf(route));
const pathParamRoutes = routes.filter((route) => params(route, "path").length > 0);
const queryParamRoutes = routes.filter((route) => params(route, "query").length > 0);
const securedRoutes = routes.filter(isSecured);

let admin: TestUser;
let target: TestUser;
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  admin = await createUser({ role: "admin" });
  target = await createUser();
  before = await snapshot();
});

/** A value a parameter accepts, so that only the value under test is wrong. */
function sampleParam(param: Parameter): string {
  if (param.in === "path" && param.name === "id") return target.id;
  if (param.in === "path" && param.name === "key") return "registration";
  const schema = resolve(param.schema);
  if (schema.enum?.length) return String(schema.enum[0]);
  if (schema.format === "email") return "sample@example.com";
  if (schema.type === "integer" || schema.type === "number") return String(schema.minimum ?? 1);
  return "sample";
}

type Send = Omit<CallOptions, "token" | "ip"> & {
  path?: Record<string, string>;
  query?: Record<string, string>;
  rawQuery?: string;
  anonymous?: boolean;
  stream?: string;
};

/**
 * Calls a route as an admin (or anonymously) from a fresh IP, with sample values
 * for parameters not overridden, and checks what every response must satisfy.
 */
async function send(route: Route, options: Send = {}): Promise<Response> {
  let url = route.path;
  for (const param of params(route, "path")) {
    url = url.replace(`{${param.name}}`, options.path?.[param.name] ?? encodeURIComponent(sampleParam(param)));
  }
  const query = new URLSearchParams();
  for (const param of params(route, "query")) if (param.required) query.set(param.name, sampleParam(param));
  for (const [name, value] of Object.entries(options.query ?? {})) query.set(name, value);
  const search = [query.toString(), options.rawQuery].filter(Boolean).join("&");
  if (search) url += `?${search}`;

  const headers: Record<string, string> = { ...options.headers };
  if (!options.anonymous && isSecured(route)) headers.authorization = `Bearer ${admin.accessToken}`;
  const ip = `198.18.${crypto.randomUUID()}`;
  const res = options.stream
    ? await streamed(url, route.method, options.stream, { ...headers, "cf-connecting-ip": ip })
    : await call(url, { ...options, method: route.method, headers, ip });
  await expectSane(res, route.label);
  return res;
}

/** A request whose body arrives as a stream, without Content-Length (as chunked uploads do). */
function streamed(url: string, method: string, text: string, headers: Record<string, string>) {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
        controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
      }
      controller.close();
    },
  });
  return exports.default.fetch(new Request(`${BASE}${url}`, { method, headers, body }));
}

/** No 500s, a request id on everything, and any error in the envelope. */
async function expectSane(res: Response, label: string) {
  const text = await res.clone().text();
  expect(res.status, `${label}: ${res.status} ${text}`).toBeLessThan(500);
  expect(res.headers.get("x-request-id"), label).toBeTruthy();
  if (res.status >= 400) expect(isErrorEnvelope(JSON.parse(text)), `${label}: ${text}`).toBe(true);
}

function expectIssues(body: ErrorEnvelope) {
  expect(Array.isArray(body.error.details)).toBe(true);
  const issues = body.error.details as { path: unknown; message: unknown; code: unknown }[];
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(typeof issue.path === "string" && typeof issue.message === "string" && typeof issue.code === "string").toBe(
      true,
    );
  }
  return issues.map((issue) => String(issue.path).split(".")[0]);
}

/** A value of the wrong JSON type for a property; undefined when any value is allowed. */
function wrongTypeFor(schema: Schema): unknown {
  switch (resolve(schema).type) {
    case "string":
      return 12345;
    case "integer":
    case "number":
      return "not-a-number";
    case "boolean":
      return "yes";
    case "array":
      return "not-an-array";
    case "object":
      return ["not", "an", "object"];
    default:
      return undefined;
  }
}

function wrongTypesBody(schema: Schema): Record<string, unknown> {
  const shape = schema.oneOf ? resolve(schema.oneOf[0]!) : schema;
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(shape.properties ?? {})) {
    const wrong = wrongTypeFor(property);
    if (wrong !== undefined) body[name] = wrong;
  }
  return body;
}

it("finds the routes it tests in the OpenAPI document", () => {
  expect(routes.length).toBeGreaterThan(20);
  expect(bodyRoutes.map((route) => route.label)).toContain("POST /api/v1/keys");
  expect(pathParamRoutes.map((route) => route.label)).toContain("GET /api/v1/keys/{id}");
  expect(queryParamRoutes.map((route) => route.label)).toContain("GET /api/v1/keys");
  expect(securedRoutes.map((route) => route.label)).toContain("GET /api/v1/me");
});

describe.each(bodyRoutes)("$label with a bad JSON body", (route) => {
  const schema = jsonSchemaOf(route)!;

  it("malformed JSON → 400 malformed_json", async () => {
    const res = await send(route, {
      rawBody: '{"name": "unterminated',
      headers: { "content-type": "application/json" },
    });
    await expectError(res, 400, "malformed_json");
  });

  it("a body of the wrong JSON type → 400 validation_failed with details", async () => {
    const answers = await Promise.all([[], "text", null].map((body) => send(route, { body })));
    for (const res of answers) expectIssues(await expectError(res, 400, "validation_failed"));
  });

  it("fields of the wrong type → 400 validation_failed naming them", async () => {
    const body = wrongTypesBody(schema);
    if (Object.keys(body).length === 0) return; // every property accepts any JSON value
    const named = expectIssues(await expectError(await send(route, { body }), 400, "validation_failed"));
    const expected = schema.oneOf ? Object.keys(body).slice(0, 1) : Object.keys(body);
    for (const field of expected) expect(named, `${route.label} should name ${field}`).toContain(field);
  });

  it("missing required fields → 400 validation_failed naming them", async () => {
    const required = schema.oneOf ? ["type"] : (schema.required ?? []);
    const res = await send(route, { body: {} });
    if (required.length === 0) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      return;
    }
    const named = expectIssues(await expectError(res, 400, "validation_failed"));
    for (const field of required) expect(named, `${route.label} should name ${field}`).toContain(field);
  });

  it("a non-JSON content type → 415", async () => {
    const answers = await Promise.all(
      ["text/plain", "application/x-www-form-urlencoded"].map((contentType) =>
        send(route, { rawBody: "{}", headers: { "content-type": contentType } }),
      ),
    );
    for (const res of answers) await expectError(res, 415, "unsupported_media_type");
  });

  it("a body over the limit → 413, with or without Content-Length", async () => {
    const oversize = `{"pad":"${"x".repeat(DEFAULT_BODY_LIMIT)}"}`;
    const headers = { "content-type": "application/json" };
    const answers = await Promise.all([
      send(route, { rawBody: oversize, headers }),
      send(route, { stream: oversize, headers }),
    ]);
    for (const res of answers) {
      const body = await expectError(res, 413, "payload_too_large");
      expect((body.error.details as { max_bytes: number }).max_bytes).toBeLessThanOrEqual(DEFAULT_BODY_LIMIT);
    }
  });
});

describe.each(pathParamRoutes)("$label with garbage in the path", (route) => {
  it("→ 4xx", async () => {
    const attempts = params(route, "path").flatMap((param) =>
      ["x".repeat(300), "%ZZ", encodeURIComponent("../../etc/passwd"), "'%20OR%201=1--"].map((value) => ({
        label: `${param.name}=${value}`,
        res: send(route, { path: { [param.name]: value } }),
      })),
    );
    for (const { label, res } of attempts) expect((await res).status, label).toBeGreaterThanOrEqual(400);
  });
});

/** Values a query parameter's schema refuses: wrong type, out of bounds, not in the enum, too long. */
function refusedValues(param: Parameter): string[] {
  const schema = resolve(param.schema);
  const values: string[] = [];
  if (schema.type === "integer" || schema.type === "number") {
    values.push("abc");
    if (schema.minimum !== undefined) values.push(String(schema.minimum - 1));
    if (schema.maximum !== undefined) values.push(String(schema.maximum + 1));
  }
  if (schema.enum) values.push("not-a-choice");
  if (schema.format === "email") values.push("not-an-email");
  if (schema.maxLength !== undefined) values.push("x".repeat(schema.maxLength + 1));
  if (param.name === "cursor") values.push(btoa("not a cursor"));
  return values;
}

describe.each(queryParamRoutes)("$label with garbage in the query", (route) => {
  it("values outside a parameter's schema → 400; odd ones never break it", async () => {
    const refused = params(route, "query").flatMap((param) =>
      refusedValues(param).map((value) => ({
        label: `${param.name}=${value.slice(0, 20)}`,
        res: send(route, { query: { [param.name]: value } }),
      })),
    );
    const odd = params(route, "query").flatMap((param) => [
      send(route, { query: { [param.name]: "'; DROP TABLE users; --\u0000💥" } }),
      send(route, { query: { [param.name]: "" } }),
      send(route, { rawQuery: `${param.name}=%ZZ&${param.name}=1&${param.name}[]=2` }),
    ]);
    expect(refused.length).toBeGreaterThan(0);
    for (const { label, res } of refused) {
      const answer = await res;
      expect(answer.status, label).toBe(400);
    }
    await Promise.all(odd);
  });
});

describe.each(securedRoutes)("$label without credentials", (route) => {
  it("→ 401 with a challenge", async () => {
    const [missing, garbage] = await Promise.all([
      send(route, { anonymous: true }),
      send(route, { anonymous: true, headers: { authorization: "Bearer not-a-token" } }),
    ]);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await expectError(missing, 401);
    await expectError(garbage, 401);
  });
});

describe("paths and methods", () => {
  it("answers an unknown /api path with a 404 envelope", async () => {
    for (const path of ["/api/v1/nope", "/api/v2/keys", "/api/v1/keys/a/b/c"]) {
      const res = await call(path);
      await expectSane(res, path);
      await expectError(res, 404, "not_found");
    }
  });

  it("answers a method a path does not have with 405 and Allow, for every documented path", async () => {
    const attempts = Object.entries(doc.paths).map(([path, item]) => {
      const documented = METHODS.filter((method) => item[method]).map((method) => method.toUpperCase());
      const unsupported = METHODS.map((method) => method.toUpperCase()).find((method) => !documented.includes(method))!;
      const concrete = path.replace(/\{[^}]+\}/g, "sample");
      const headers = { authorization: `Bearer ${admin.accessToken}` };
      return { label: `${unsupported} ${path}`, documented, res: call(concrete, { method: unsupported, headers }) };
    });
    for (const { label, documented, res } of attempts) {
      const answer = await res;
      await expectSane(answer, label);
      const allowed = (answer.headers.get("allow") ?? "").split(/,\s*/);
      for (const method of documented) expect(allowed, label).toContain(method);
      await expectError(answer, 405, "method_not_allowed");
    }
  });

  it("puts x-request-id on every response, echoing a sane one the caller sent", async () => {
    const sane = `client-${crypto.randomUUID()}`;
    for (const path of ["/api/v1/config", "/api/v1/me", "/api/v1/nope"]) {
      const echoed = await call(path, { headers: { "x-request-id": sane } });
      expect(echoed.headers.get("x-request-id")).toBe(sane);
      const fresh = await Promise.all(
        [undefined, "has spaces in it", "x".repeat(200), "<script>"].map((insane) =>
          call(path, { headers: insane ? { "x-request-id": insane } : {} }),
        ),
      );
      const ids = fresh.map((res) => res.headers.get("x-request-id"));
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

/** Every authenticated request counts towards its user's daily API calls (usage_daily), refused ones too. */
const withoutCallCounts = ({ usage_daily: _counted, ...tables }: Awaited<ReturnType<typeof snapshot>>) => tables;

it("changed nothing in D1 with any of the refused requests above", async () => {
  await flushApiCalls(env);
  expect(withoutCallCounts(await snapshot())).toEqual(withoutCallCounts(before));
});
