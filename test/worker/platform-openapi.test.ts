/**
 * The OpenAPI 3.1 document at /api/v1/openapi.json against the app itself: every
 * registered route is documented (and nothing else), every 4xx uses the error
 * envelope, security matches what the route really demands, and the statuses the
 * routes really answer are documented. Also the offline docs page at /api/docs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import { call, createUser, json, type TestUser } from "./support/api";

type Schema = { $ref?: string; [key: string]: unknown };
type Operation = {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string }> };
};

/** Routes that are not part of the API contract: the document itself, its page, and the bench's bare route. */
const UNDOCUMENTED = new Set(["GET /api/v1/openapi.json", "GET /api/docs", "GET /__baseline"]);
const ERROR_REF = "#/components/schemas/Error";

let doc: Document;
let admin: TestUser;

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

/** A concrete URL for a documented path: `{id}` → a placeholder, `{key}` → a real setting. */
const concrete = (path: string) => path.replace("{key}", "hub_limits").replace(/\{\w+\}/g, "placeholder-id");

const requiresCredentials = (op: Operation) =>
  Boolean(op.security?.length) && !op.security!.some((requirement) => Object.keys(requirement).length === 0);

let ipCounter = 0;
const freshIp = () => `203.0.113.${ipCounter++ % 250}-openapi-${ipCounter}`;

beforeAll(async () => {
  const res = await call("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  doc = await json<Document>(res);
  admin = await createUser({ role: "admin" });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with the security schemes the routes use", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Edgewise API", version: expect.any(String) });
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      apiKeyAuth: { type: "apiKey", in: "header", name: "X-API-Key" },
      metricsToken: { type: "http", scheme: "bearer" },
    });
    const used = new Set(operations().flatMap(({ op }) => (op.security ?? []).flatMap((req) => Object.keys(req))));
    for (const scheme of used) expect(doc.components.securitySchemes, scheme).toHaveProperty(scheme);
  });

  it("documents exactly the routes the app registers", () => {
    const registered = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path}`)
        .filter((route) => !UNDOCUMENTED.has(route)),
    );
    const documented = new Set(
      operations().map(({ method, path }) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it("gives every operation a summary and every 4xx the error envelope", () => {
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toBeTruthy();
      expect(
        Object.keys(op.responses).some((status) => /^[12]\d\d$/.test(status)),
        where,
      ).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^4\d\d$/.test(status)) continue;
        expect(response.description, `${where} ${status}`).toBeTruthy();
        expect(response.content?.["application/json"]?.schema, `${where} ${status}`).toEqual({ $ref: ERROR_REF });
      }
    }
    const envelope = JSON.stringify(doc.components.schemas.Error);
    for (const field of ["code", "message", "details"]) expect(envelope).toContain(`"${field}"`);
  });

  it("resolves every $ref", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).toBeTruthy();
    }
  });

  it("declares security exactly where an anonymous call is refused with 401, and documents that 401", async () => {
    for (const { method, path, op } of operations()) {
      const where = `${method} ${path}`;
      // No body: public routes then fail validation (400) without side effects.
      const res = await call(concrete(path), { method, ip: freshIp() });
      if (requiresCredentials(op)) {
        expect(res.status, where).toBe(401);
        expect(op.responses, where).toHaveProperty("401");
      } else {
        expect(res.status, where).not.toBe(401);
      }
      expect(res.status, where).toBeLessThan(500);
      if (res.status >= 400) expect(op.responses, `${where} answered ${res.status}`).toHaveProperty(String(res.status));
    }
  });

  it("documents the statuses body-taking routes answer to bad bodies (400, 413, 415)", async () => {
    // JSON bodies; file uploads (multipart, raw bytes) have their own limits, tested in worker/features/files.
    const withBody = operations().filter(({ op }) => op.requestBody?.content["application/json"]);
    expect(withBody.length).toBeGreaterThan(5);
    const oversize = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    for (const { method, path, op } of withBody) {
      const where = `${method} ${path}`;
      expect(Object.keys(op.requestBody!.content), where).toEqual(["application/json"]);
      const send = (rawBody: string, contentType: string) =>
        call(concrete(path), {
          method,
          token: admin.accessToken,
          rawBody,
          headers: { "content-type": contentType },
          ip: freshIp(),
        });
      for (const [rawBody, contentType, expected] of [
        ["{", "application/json", 400],
        ["{}", "text/plain", 415],
        [oversize, "application/json", 413],
      ] as const) {
        const res = await send(rawBody, contentType);
        expect(res.status, `${where} ${contentType} ${rawBody.length} bytes`).toBe(expected);
        expect(op.responses, `${where} answered ${expected}`).toHaveProperty(String(expected));
      }
    }
  });
});

describe("/api/docs", () => {
  it("is an HTML page that loads everything from this Worker (no CDN)", async () => {
    const res = await call("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('src="/docs-assets/swagger-ui-bundle.js"');
    expect(html).toContain('href="/docs-assets/swagger-ui.css"');
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source, source).toMatch(/^\/docs-assets\//);
  });
});
