/**
 * `npm run bench`: starts the app as `npm start` would (fresh local state), then
 * measures in one run
 *   - authenticated GET (/api/v1/me) and POST (/api/v1/events) latency and
 *     throughput at fixed concurrency, against the bare Hono route in the same
 *     Worker (/__baseline) — the ratio is what our middleware stack costs —
 *     and each unloaded (one client), which shows the per-request floor;
 *   - live-hub fan-out: one publish to 100 and to 1,000 sockets.
 * Results go to bench/results/latest.json and docs/PERFORMANCE.md.
 * Options: --seconds N (per scenario, default 10), --concurrency N (default 16),
 *          --sockets 100,1000, --events N (per fan-out size, default 20).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDevServer } from "../cli/dev/dev-server.mjs";
import { api, liftLimits } from "./client.mjs";
import { measureFanout } from "./fanout.mjs";
import { runLoad } from "./load.mjs";
import { machineFacts, writeReport } from "./report.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "16" },
    sockets: { type: "string", default: "100,1000" },
    events: { type: "string", default: "20" },
    "no-report": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const socketCounts = values.sockets.split(",").map(Number);
const progress = (message) => process.stderr.write(`\r\x1b[2K› ${message}`);
const done = () => process.stderr.write("\n");

const server = await startDevServer({ vars: { JWT_SECRET: "bench-jwt-secret", METRICS_TOKEN: "bench-metrics-token" } });
try {
  const { baseUrl } = server;
  await liftLimits(baseUrl, {
    hub_limits: { max_connections_per_user: 2000, max_topics_per_connection: 50, replay_buffer_size: 500 },
  });
  // The config cache of other isolates lives up to 5 s.
  await new Promise((resolve) => setTimeout(resolve, 5500));
  const demo = await api(baseUrl, "/api/v1/auth/login", {
    method: "POST",
    body: { email: "demo@edgewise.dev", password: "edgewise-demo-pass" },
  });
  const auth = { authorization: `Bearer ${demo.access_token}` };
  const scenarios = [
    { name: "baseline GET /__baseline (bare Hono)", url: `${baseUrl}/__baseline`, expectStatus: 200 },
    { name: "GET /api/v1/me (JWT, D1, rate limit)", url: `${baseUrl}/api/v1/me`, headers: auth, expectStatus: 200 },
    {
      name: "POST /api/v1/events (JWT, validation, hub publish)",
      url: `${baseUrl}/api/v1/events`,
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: () => JSON.stringify({ type: "user.message", data: { text: "bench" } }),
      expectStatus: 201,
    },
  ];
  const http = [];
  const unloaded = [];
  for (const scenario of scenarios) {
    progress(`warm-up: ${scenario.name}`);
    await runLoad({ ...scenario, concurrency, seconds: 1 });
    progress(`measuring ${seconds}s × ${concurrency} clients: ${scenario.name}`);
    http.push({ name: scenario.name, ...(await runLoad({ ...scenario, concurrency, seconds })) });
    progress(`measuring ${Math.ceil(seconds / 3)}s × 1 client: ${scenario.name}`);
    unloaded.push({
      name: scenario.name,
      ...(await runLoad({ ...scenario, concurrency: 1, seconds: Math.ceil(seconds / 3) })),
    });
  }
  done();
  const fanout = [];
  for (const sockets of socketCounts) {
    fanout.push(
      await measureFanout({
        baseUrl,
        token: demo.access_token,
        sockets,
        events: Number(values.events),
        onProgress: progress,
      }),
    );
    done();
  }
  const results = {
    at: new Date().toISOString(),
    machine: machineFacts(),
    seconds,
    concurrency,
    http,
    unloaded,
    fanout,
  };
  writeFileSync(new URL("./results/latest.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  if (!values["no-report"]) writeReport(results, process.argv.slice(2));
} finally {
  server.stop();
}
