/**
 * /health, /ready and /metrics: liveness, readiness of every dependency, and
 * Prometheus counting that matches the requests actually made. Metrics reach the
 * MetricsHub after each response (waitUntil), so reads poll briefly until they settle.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json } from "../../../test/worker/support/api";
import {
  connect,
  METRICS_TOKEN,
  publishMessage,
  sample,
  scrape,
  settle,
  steady,
} from "../../../test/worker/support/live";
import { METRICS } from "./metric-catalog";

type Parsed = {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
};

const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/g;

/** A strict reader of the text exposition format: throws on any line it does not recognise. */
function parsePrometheus(text: string): Parsed {
  const parsed: Parsed = { help: new Map(), type: new Map(), samples: [] };
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, "HELP" | "TYPE", string, string];
      const target = kind === "HELP" ? parsed.help : parsed.type;
      if (target.has(name)) throw new Error(`second ${kind} for ${name}`);
      if (kind === "TYPE" && !["counter", "gauge", "histogram", "summary", "untyped"].includes(rest))
        throw new Error(`bad TYPE line: ${line}`);
      target.set(name, rest);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText = "", valueText] = match as unknown as [string, string, string | undefined, string];
    const value = valueText === "+Inf" ? Number.POSITIVE_INFINITY : Number(valueText);
    if (Number.isNaN(value)) throw new Error(`bad value in ${line}`);
    const family = name.replace(/_(bucket|sum|count)$/, "");
    const familyType = parsed.type.get(name) ?? parsed.type.get(family);
    if (!familyType) throw new Error(`sample before its TYPE line: ${line}`);
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map((m) => [m[1]!, m[2]!]));
    parsed.samples.push({ name, labels, value });
  }
  return parsed;
}

const ME_REQUESTS = 'http_requests_total{method="GET",route="/api/v1/me",status="200"}';
const ME_COUNT = 'http_request_duration_seconds_count{method="GET",route="/api/v1/me"}';

function buckets(text: string, labels: string) {
  const prefix = `http_request_duration_seconds_bucket{${labels},le="`;
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => ({ le: line.slice(prefix.length, line.indexOf('"}')), value: Number(line.split(" ").at(-1)) }));
}

describe("/health and /ready", () => {
  it("reports liveness", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("reports readiness with every dependency checked and ok", async () => {
    const res = await call("/ready");
    expect(res.status).toBe(200);
    const body = await json<{ status: string; checks: Record<string, { ok: boolean; latency_ms: number }> }>(res);
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks).sort()).toEqual(["d1", "hub", "metrics", "r2"]);
    for (const [name, check] of Object.entries(body.checks)) {
      expect(check, name).toEqual({ ok: true, latency_ms: expect.any(Number) });
      expect(check.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("/metrics access", () => {
  it("needs the metrics token", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token" },
      { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` },
      { authorization: `Basic ${btoa(`metrics:${METRICS_TOKEN}`)}` },
      { authorization: METRICS_TOKEN },
    ];
    for (const headers of attempts) {
      const res = await call("/metrics", { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("invalid_metrics_token");
    }
    // A user's own credentials are not the metrics token either.
    const user = await createUser();
    expect((await call("/metrics", { token: user.accessToken })).status).toBe(401);
  });

  it("serves valid Prometheus text with every catalogued metric described", async () => {
    await call("/health");
    const res = await call("/metrics", { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const parsed = parsePrometheus(await res.text());
    for (const [name, definition] of Object.entries(METRICS)) {
      expect(parsed.help.get(name), name).toBe(definition.help);
      expect(parsed.type.get(name), name).toBe(definition.kind);
    }
    expect(parsed.samples.some((s) => s.name === "http_requests_total" && s.labels.route === "/health")).toBe(true);
  });
});

describe("/metrics counting", () => {
  it("counts each request once, by method, route pattern and status, with a cumulative histogram", async () => {
    const user = await createUser();
    const labels = 'method="GET",route="/api/v1/me"';
    const before = await steady((text) => ({
      requests: sample(text, ME_REQUESTS),
      count: sample(text, ME_COUNT),
      buckets: buckets(text, labels),
    }));

    const N = 7;
    for (let i = 0; i < N; i++) expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    const requests = await settle(
      (text) => sample(text, ME_REQUESTS),
      (n) => n >= before.requests + N,
    );
    expect(requests).toBe(before.requests + N);

    const text = await scrape();
    expect(sample(text, ME_REQUESTS)).toBe(before.requests + N);
    expect(sample(text, ME_COUNT)).toBe(before.count + N);
    const after = buckets(text, labels);
    expect(after.map((b) => b.le)).toEqual([...METRICS.http_request_duration_seconds.buckets.map(String), "+Inf"]);
    for (let i = 1; i < after.length; i++) expect(after[i]!.value).toBeGreaterThanOrEqual(after[i - 1]!.value);
    expect(after.at(-1)!.value).toBe(before.count + N);
    const sum = sample(text, `http_request_duration_seconds_sum{${labels}}`);
    expect(sum).toBeGreaterThanOrEqual(0);
    expect(sum).toBeLessThan(60);
  });

  it("counts failures under their status", async () => {
    const series = 'http_requests_total{method="GET",route="/api/v1/me",status="401"}';
    const before = await steady((text) => sample(text, series));
    for (let i = 0; i < 3; i++) expect((await call("/api/v1/me")).status).toBe(401);
    expect(
      await settle(
        (text) => sample(text, series),
        (n) => n >= before + 3,
      ),
    ).toBe(before + 3);
  });

  it("labels routes by their pattern, never by raw ids or unknown paths", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["account:read"]);
    const series = 'http_requests_total{method="GET",route="/api/v1/keys/:id",status="200"}';
    const missing = 'http_requests_total{method="GET",route="/api/v1/keys/:id",status="404"}';
    const before = await steady((text) => [sample(text, series), sample(text, missing)]);

    expect((await call(`/api/v1/keys/${key.key.id}`, { token: user.accessToken })).status).toBe(200);
    expect((await call("/api/v1/keys/no-such-key", { token: user.accessToken })).status).toBe(404);
    const unknownPath = `/api/v1/nothing-here-${crypto.randomUUID()}`;
    expect((await call(unknownPath)).status).toBe(404);

    const after = await settle(
      (text) => [sample(text, series), sample(text, missing)],
      ([ok, notFound]) => ok! >= before[0]! + 1 && notFound! >= before[1]! + 1,
    );
    expect(after).toEqual([before[0]! + 1, before[1]! + 1]);
    const text = await scrape();
    expect(text).not.toContain(key.key.id);
    expect(text).not.toContain("no-such-key");
    expect(text).not.toContain(unknownPath);
    const routes = new Set(
      parsePrometheus(text)
        .samples.map((s) => s.labels.route)
        .filter(Boolean),
    );
    for (const route of routes) expect(route, String(route)).toMatch(/^(\/[\w.:{}-]*)+$|^unmatched$/);
  });

  it("counts published hub events by type", async () => {
    const user = await createUser();
    const series = 'hub_events_published_total{type="user.message"}';
    const before = await steady((text) => sample(text, series));
    for (let i = 0; i < 3; i++) await publishMessage(user, `count me ${i}`);
    expect(
      await settle(
        (text) => sample(text, series),
        (n) => n >= before + 3,
      ),
    ).toBe(before + 3);
  });

  it("keeps its totals when the MetricsHub is evicted", async () => {
    await call("/health");
    // Everything but the scrapes' own series, which each scrape moves on.
    const stable = (text: string) =>
      text
        .split("\n")
        .filter((line) => !line.includes('route="/metrics"'))
        .join("\n");
    const before = await steady(stable);
    expect(sample(before, 'http_requests_total{method="GET",route="/health",status="200"}')).toBeGreaterThan(0);
    await evictDurableObject(env.METRICS.get(env.METRICS.idFromName("global")));
    expect(stable(await scrape())).toBe(before);
  });

  it("tracks open live-hub sockets in websocket_connections_active", async () => {
    const gauge = (text: string) => sample(text, "websocket_connections_active");
    const baseline = await steady(gauge);
    const alice = await createUser();
    const bob = await createUser();
    const sockets = [(await connect(alice)).socket, (await connect(alice)).socket, (await connect(bob)).socket];
    expect(await settle(gauge, (n) => n === baseline + 3)).toBe(baseline + 3);

    sockets[0]!.close();
    expect(await settle(gauge, (n) => n === baseline + 2)).toBe(baseline + 2);
    sockets[1]!.close();
    sockets[2]!.close();
    expect(await settle(gauge, (n) => n === baseline)).toBe(baseline);
  });
});
