/**
 * `node bench/graph-bench.mjs`: the graph sync under `wrangler dev` (fresh local
 * state, like `npm run bench`), one user, so one GraphSync Durable Object:
 *   - push throughput in changes/s by batch size, one device and 4 devices at once;
 *   - push → other device latency: a device pushes one change, another device's live
 *     WebSocket (following everything) receives it; p50/p95/p99 over --samples;
 *   - cold sync of 10k and 100k entities into a new device: HTTP pages only, and the
 *     TypeScript sync client (parse, validate, apply to an in-memory replica).
 * Writes bench/results/graph-latest.json and the "Graph sync" section of docs/PERFORMANCE.md.
 * Options: --entities 10000,100000  --samples 200  --seconds 8 (per throughput scenario).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { startDevServer } from "../cli/dev/dev-server.mjs";
import { percentile } from "./load.mjs";
import { machineFacts } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    entities: { type: "string", default: "10000,100000" },
    samples: { type: "string", default: "200" },
    seconds: { type: "string", default: "8" },
    "no-report": { type: "boolean", default: false },
  },
});
const progress = (message) => process.stderr.write(`\r\x1b[2K› ${message}`);
const round = (n) => Math.round(n * 100) / 100;

const bundle = join(tmpdir(), `edgewise-graph-bench-${process.pid}.mjs`);
await build({
  entryPoints: [join(here, "graph", "bench-entry.ts")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "esm",
  logLevel: "warning",
});
const { SyncClient, MemoryReplica, httpTransport } = await import(pathToFileURL(bundle).href);

/** `token` is a JWT or (for long runs; JWTs expire in 15 minutes) an API key. A 503 is tried again once. */
async function api(baseUrl, path, options = {}, retried = false) {
  const { token, method = "GET", body } = options;
  const auth = token?.startsWith("ewk_") ? { "x-api-key": token } : { authorization: `Bearer ${token}` };
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? auth : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 503 && !retried) return api(baseUrl, path, options, true);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/** A scripted device: numbered changes with its own HLC. */
function device(id) {
  let counter = 0;
  let lastMs = 0;
  let tick = 0;
  const hlc = () => {
    const ms = Date.now();
    tick = ms === lastMs ? tick + 1 : 0;
    lastMs = ms;
    return `${String(ms).padStart(15, "0")}:${String(tick).padStart(6, "0")}:${id}`;
  };
  return {
    id,
    cursor: 0,
    create(entityId, name) {
      counter++;
      return {
        op: "upsert",
        client_change_id: `${id}-${counter}`,
        counter,
        hlc: hlc(),
        entity_id: entityId,
        entity_type: "zone",
        version: `${entityId}-v${counter}`,
        parents: [],
        content: { name },
      };
    },
    update(entityId, parent, name) {
      counter++;
      return {
        op: "upsert",
        client_change_id: `${id}-${counter}`,
        counter,
        hlc: hlc(),
        entity_id: entityId,
        entity_type: "zone",
        version: `${entityId}-${id}-v${counter}`,
        parents: [parent],
        content: { name },
      };
    },
    request(changes) {
      return { protocol_versions: [1], device_id: id, clock: { [id]: counter }, cursor: 2 ** 40, limit: 1, changes };
    },
  };
}

let created = 0;
async function pushCreates(ctx, writer, count, batch) {
  for (let done = 0; done < count; done += batch) {
    const changes = Array.from({ length: Math.min(batch, count - done) }, () => {
      created++;
      return writer.create(`e${created}`, `Zone ${created} garden shed north`);
    });
    await api(ctx.baseUrl, "/api/v1/graph/sync/push", {
      token: ctx.token,
      method: "POST",
      body: writer.request(changes),
    });
  }
}

async function throughput(ctx) {
  const rows = [];
  for (const [batch, devices] of [
    [1, 1],
    [50, 1],
    [500, 1],
    [500, 4],
  ]) {
    const writers = Array.from({ length: devices }, (_, i) => device(`tp-${batch}-${devices}-${i}`));
    const deadline = performance.now() + Number(values.seconds) * 1000;
    const started = performance.now();
    let changes = 0;
    const latencies = [];
    await Promise.all(
      writers.map(async (writer) => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await pushCreates(ctx, writer, batch, batch);
          latencies.push(performance.now() - t);
          changes += batch;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push({
      batch,
      devices,
      changes,
      changes_per_s: Math.round(changes / seconds),
      push_p50_ms: round(percentile(latencies, 50)),
      push_p95_ms: round(percentile(latencies, 95)),
    });
    progress(`throughput batch ${batch} × ${devices} devices: ${rows.at(-1).changes_per_s} changes/s\n`);
  }
  return rows;
}

async function liveLatency(ctx) {
  const { url } = await api(ctx.baseUrl, "/api/v1/graph/ws/ticket", { token: ctx.token, method: "POST" });
  const ws = new WebSocket(`${url}&all=true`);
  await new Promise((resolve, reject) => {
    ws.addEventListener("message", (m) => JSON.parse(m.data).type === "welcome" && resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("socket error")), { once: true });
  });
  const writer = device("latency-writer");
  const id = "latency-probe";
  let version = writer.create(id, "probe").version;
  await api(ctx.baseUrl, "/api/v1/graph/sync/push", {
    token: ctx.token,
    method: "POST",
    body: writer.request([writer.create(id, "probe")]),
  }).catch(() => {});
  const first = await api(ctx.baseUrl, `/api/v1/graph/entities/${id}`, { token: ctx.token });
  version = first.version;
  const delivery = [];
  const pushes = [];
  for (let i = 0; i < Number(values.samples); i++) {
    const change = writer.update(id, version, `probe ${i}`);
    const arrived = new Promise((resolve) => {
      const onMessage = (m) => {
        const frame = JSON.parse(m.data);
        if (frame.type === "change" && frame.item.entity?.version === change.version) {
          ws.removeEventListener("message", onMessage);
          resolve(performance.now());
        }
      };
      ws.addEventListener("message", onMessage);
    });
    const started = performance.now();
    await api(ctx.baseUrl, "/api/v1/graph/sync/push", {
      token: ctx.token,
      method: "POST",
      body: writer.request([change]),
    });
    pushes.push(performance.now() - started);
    delivery.push((await arrived) - started);
    version = change.version;
    if (i % 20 === 0) progress(`latency sample ${i}`);
  }
  ws.close();
  const stats = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return {
      p50_ms: round(percentile(sorted, 50)),
      p95_ms: round(percentile(sorted, 95)),
      p99_ms: round(percentile(sorted, 99)),
    };
  };
  progress("latency done\n");
  return { samples: delivery.length, delivery: stats(delivery), push_response: stats(pushes) };
}

async function coldSync(ctx, total) {
  const writer = device(`fill-${total}`);
  progress(`filling to ${total} entities`);
  if (created < total) await pushCreates(ctx, writer, total - created, 500);
  const limit = 5000;
  let started = performance.now();
  let cursor = 0;
  let pages = 0;
  let items = 0;
  for (let more = true; more; pages++) {
    const page = await api(ctx.baseUrl, "/api/v1/graph/sync/pull", {
      token: ctx.token,
      method: "POST",
      body: { protocol_versions: [1], device_id: `cold-http-${total}`, cursor, limit },
    });
    items += page.items.length;
    ({ cursor, has_more: more } = page);
  }
  const httpMs = performance.now() - started;
  const client = new SyncClient({
    deviceId: `cold-client-${total}`,
    replica: new MemoryReplica(),
    transport: httpTransport({
      baseUrl: ctx.baseUrl,
      headers: () => ({ "x-api-key": ctx.token }),
      timeoutMs: 120_000,
    }),
    feedLimit: limit,
  });
  started = performance.now();
  const report = await client.sync();
  const clientMs = performance.now() - started;
  if (!report.ok) throw new Error(`client sync failed: ${JSON.stringify(report.error)}`);
  progress(`cold sync ${total}: ${Math.round(httpMs)} ms HTTP, ${Math.round(clientMs)} ms client\n`);
  return {
    entities: total,
    feed_items: items,
    pages,
    page_limit: limit,
    http_ms: Math.round(httpMs),
    client_ms: Math.round(clientMs),
    client_entities: client.entities().length,
  };
}

function section(results) {
  const m = results.machine;
  const tp = results.throughput.map(
    (r) => `| ${r.batch} | ${r.devices} | ${r.changes_per_s} | ${r.push_p50_ms} | ${r.push_p95_ms} |`,
  );
  const cold = results.cold.map(
    (c) => `| ${c.entities.toLocaleString("en")} | ${c.pages} × ${c.page_limit} | ${c.http_ms} | ${c.client_ms} |`,
  );
  const l = results.latency;
  return [
    "<!-- bench:graph:start -->",
    "## Graph sync",
    "",
    `Measured ${results.at} with \`node bench/graph-bench.mjs\` on ${m.cores} cores (${m.cpu}), ${m.memory_gib} GiB, Node ${m.node}, ${m.wrangler}.`,
    "Same setup as above: `wrangler dev` with local Durable Objects on this shared 2-core machine, the load generator on the",
    "same cores; one user, so every number is one GraphSync Durable Object (the single writer of that user's graph).",
    "",
    "### Push throughput (one user's GraphSync; `zone` creates, closed loop)",
    "",
    "| changes per push | devices pushing at once | changes/s | push p50 ms | push p95 ms |",
    "|---:|---:|---:|---:|---:|",
    ...tp,
    "",
    "Anchor: PowerSync quotes 2–4k ops/s of replication throughput.",
    "",
    "### Push → other device",
    "",
    `A device pushes one change over HTTP; another device's live WebSocket (\`/api/v1/graph/ws?all=true\`) receives it. ${l.samples} samples.`,
    "",
    "| | p50 ms | p95 ms | p99 ms |",
    "|---|---:|---:|---:|",
    `| push sent → change frame on the other device | ${l.delivery.p50_ms} | ${l.delivery.p95_ms} | ${l.delivery.p99_ms} |`,
    `| push sent → push response | ${l.push_response.p50_ms} | ${l.push_response.p95_ms} | ${l.push_response.p99_ms} |`,
    "",
    "Anchor: ElectricSQL quotes 6 ms from a write to a client.",
    "",
    "### Cold sync of a new device",
    "",
    "From cursor 0 to everything. HTTP: the pages alone. Client: the TypeScript sync client (shared/graph-sync) parsing,",
    "validating and applying into an in-memory replica.",
    "",
    "| entities | pages | HTTP ms | client ms |",
    "|---:|---:|---:|---:|",
    ...cold,
    "",
    "Anchor: Zero quotes sub-second loads (of the queried subset, not a whole dataset).",
    "<!-- bench:graph:end -->",
  ].join("\n");
}

function writeSection(results) {
  const doc = new URL("../docs/PERFORMANCE.md", import.meta.url);
  const text = readFileSync(doc, "utf8");
  const block = section(results);
  const start = text.indexOf("<!-- bench:graph:start -->");
  const end = text.indexOf("<!-- bench:graph:end -->");
  const next =
    start >= 0
      ? `${text.slice(0, start)}${block}${text.slice(end + "<!-- bench:graph:end -->".length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(doc, next);
}

const server = await startDevServer({ vars: { JWT_SECRET: "bench-jwt-secret", METRICS_TOKEN: "bench-metrics-token" } });
try {
  const { baseUrl } = server;
  const admin = await api(baseUrl, "/api/v1/auth/login", {
    method: "POST",
    body: { email: "admin@edgewise.dev", password: "edgewise-admin-pass" },
  });
  await api(baseUrl, "/api/v1/admin/config/rate_limits", {
    token: admin.access_token,
    method: "PUT",
    body: {
      value: {
        auth_per_ip: { limit: 1000, window_seconds: 60 },
        api_per_principal: { limit: 1_000_000, window_seconds: 60 },
      },
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 5500));
  /** An API key with the graph scopes for one of the seeded accounts (API keys outlive a long run; JWTs do not). */
  const graphKey = async (email, password) => {
    const login = await api(baseUrl, "/api/v1/auth/login", { method: "POST", body: { email, password } });
    const body = { name: `graph-bench-${email}`, scopes: ["graph:read", "graph:write"] };
    const key = await api(baseUrl, "/api/v1/keys", { token: login.access_token, method: "POST", body });
    return { baseUrl, token: key.secret };
  };
  const ctx = await graphKey("demo@edgewise.dev", "edgewise-demo-pass");
  // Cold syncs read a graph of exactly N entities: another account's, filled for it alone.
  const coldCtx = await graphKey("admin@edgewise.dev", "edgewise-admin-pass");
  const results = {
    at: new Date().toISOString(),
    machine: machineFacts(),
    throughput: await throughput(ctx),
    latency: await liveLatency(ctx),
    cold: [],
  };
  created = 0;
  for (const total of values.entities.split(",").map(Number)) results.cold.push(await coldSync(coldCtx, total));
  writeFileSync(new URL("./results/graph-latest.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  if (!values["no-report"]) writeSection(results);
} finally {
  server.stop();
}
