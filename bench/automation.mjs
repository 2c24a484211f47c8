/**
 * `npm run bench:automation`: starts the app as `npm start` would (fresh local
 * state) and measures
 *   - task throughput through the queue: N no-op tasks (sleep 0) created over HTTP
 *     for one user and for several users at once, timed from the first create to
 *     the last `succeeded` (tasks/s end to end: API, D1, the TaskQueue object);
 *   - scheduling latency: schedules firing every second for a while, each run's
 *     due → started latency as the server records it (schedule_runs.latency_ms).
 * Results go to bench/results/automation.json and docs/PERFORMANCE.md.
 * Options: --tasks N (default 200), --users N (default 4), --schedules N (default 5), --seconds N (default 30).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDevServer } from "../cli/dev/dev-server.mjs";
import { percentile } from "./load.mjs";
import { machineFacts } from "./report.mjs";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "200" },
    users: { type: "string", default: "4" },
    schedules: { type: "string", default: "5" },
    seconds: { type: "string", default: "30" },
    "no-report": { type: "boolean", default: false },
  },
});
const TASKS = Number(values.tasks);
const USERS = Number(values.users);
const SCHEDULES = Number(values.schedules);
const SECONDS = Number(values.seconds);
const CLIENTS = 8;
const progress = (message) => process.stderr.write(`\r\x1b[2K› ${message}`);

async function api(baseUrl, path, { token, method = "GET", body } = {}) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function setup(baseUrl) {
  const admin = await api(baseUrl, "/auth/login", {
    method: "POST",
    body: { email: "admin@edgewise.dev", password: "edgewise-admin-pass" },
  });
  const put = (key, value) =>
    api(baseUrl, `/admin/config/${key}`, { token: admin.access_token, method: "PUT", body: { value } });
  await put("rate_limits", {
    auth_per_ip: { limit: 10_000, window_seconds: 60 },
    api_per_principal: { limit: 1_000_000, window_seconds: 60 },
  });
  await new Promise((resolve) => setTimeout(resolve, 5_500)); // other isolates' config caches
}

async function newUser(baseUrl, n) {
  const email = `bench-${n}-${Date.now()}@example.com`;
  const password = "bench-password-123";
  await api(baseUrl, "/auth/register", { method: "POST", body: { email, password, name: `Bench ${n}` } });
  const outbox = await api(baseUrl, `/dev/outbox?to=${encodeURIComponent(email)}&kind=verify_email`);
  const token = /[?&]token=([^\s&]+)/.exec(outbox.items[0].text)[1];
  await api(baseUrl, "/auth/verify-email", { method: "POST", body: { token: decodeURIComponent(token) } });
  return (await api(baseUrl, "/auth/login", { method: "POST", body: { email, password } })).access_token;
}

async function succeededCount(baseUrl, token) {
  let count = 0;
  let cursor;
  do {
    const page = await api(
      baseUrl,
      `/tasks?status=succeeded&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { token },
    );
    count += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

/** Creates `count` tasks per token with CLIENTS concurrent clients, then waits until all succeeded. */
async function throughput(baseUrl, tokens, count) {
  const started = performance.now();
  const jobs = tokens.flatMap((token) => Array.from({ length: count }, (_, i) => ({ token, i })));
  let next = 0;
  const createLatencies = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const t = performance.now();
        await api(baseUrl, "/tasks", {
          token: job.token,
          method: "POST",
          body: { title: `bench ${job.i}`, action: { kind: "sleep", ms: 0 } },
        });
        createLatencies.push(performance.now() - t);
      }
    }),
  );
  const created = performance.now();
  for (;;) {
    const done = (await Promise.all(tokens.map((token) => succeededCount(baseUrl, token)))).reduce((a, b) => a + b, 0);
    progress(`${done}/${jobs.length} tasks succeeded`);
    if (done >= jobs.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const finished = performance.now();
  createLatencies.sort((a, b) => a - b);
  return {
    users: tokens.length,
    tasks: jobs.length,
    seconds: +((finished - started) / 1000).toFixed(2),
    tasks_per_second: +(jobs.length / ((finished - started) / 1000)).toFixed(1),
    create_per_second: +(jobs.length / ((created - started) / 1000)).toFixed(1),
    create_p50_ms: +percentile(createLatencies, 50).toFixed(1),
  };
}

async function scheduling(baseUrl, token) {
  const ids = [];
  for (let i = 0; i < SCHEDULES; i++) {
    const schedule = await api(baseUrl, "/schedules", {
      token,
      method: "POST",
      body: {
        name: `every second ${i}`,
        cron: "* * * * * *",
        target: { kind: "task", task: { title: "tick", action: { kind: "sleep", ms: 0 } } },
      },
    });
    ids.push(schedule.id);
  }
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    progress(`schedules firing: ${Math.ceil((until - Date.now()) / 1000)} s left`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  for (const id of ids) await api(baseUrl, `/schedules/${id}`, { token, method: "PATCH", body: { enabled: false } });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const latencies = [];
  let runs = 0;
  let skipped = 0;
  for (const id of ids) {
    let cursor;
    do {
      const page = await api(
        baseUrl,
        `/schedules/${id}/runs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token },
      );
      for (const run of page.items) {
        runs++;
        if (run.status === "skipped") skipped++;
        if (run.latency_ms !== null) latencies.push(run.latency_ms);
      }
      cursor = page.next_cursor;
    } while (cursor);
  }
  latencies.sort((a, b) => a - b);
  const expected = SCHEDULES * SECONDS;
  return {
    schedules: SCHEDULES,
    seconds: SECONDS,
    runs,
    expected_ticks: expected,
    skipped,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    max_ms: latencies.at(-1) ?? null,
  };
}

function report(results) {
  const { queue, scheduling: s, facts } = results;
  const rows = queue
    .map(
      (r) =>
        `| ${r.users} | ${r.tasks} | ${r.tasks_per_second} | ${r.create_per_second} | ${r.create_p50_ms} | ${r.seconds} |`,
    )
    .join("\n");
  const section = `<!-- bench:automation:start -->
## Automation

Measured ${results.at} with \`npm run bench:automation\` on ${facts}.
Same setup as above: \`wrangler dev\` on this machine, load generator on the same cores.

### Task throughput through the queue
No-op tasks (\`sleep 0\`) created over HTTP by ${CLIENTS} concurrent clients; the clock runs from the first
create to the last task seen \`succeeded\`, so it covers the API, D1 writes, each user's TaskQueue object
(dispatch, claim, run, result, events) and the status events. Default per-user concurrency (4).

| users | tasks | tasks/s end to end | creates/s | create p50 ms | seconds |
|---:|---:|---:|---:|---:|---:|
${rows}

### Scheduling latency (due → started)
${s.schedules} schedules firing every second (\`* * * * * *\`) for ${s.seconds} s; latency is the server's own
\`schedule_runs.latency_ms\`: from the tick to the task being claimed by the queue.

| runs | ticks expected | skipped | p50 ms | p99 ms | max ms |
|---:|---:|---:|---:|---:|---:|
| ${s.runs} | ${s.expected_ticks} | ${s.skipped} | ${s.p50_ms} | ${s.p99_ms} | ${s.max_ms} |
<!-- bench:automation:end -->`;
  const path = "docs/PERFORMANCE.md";
  const doc = readFileSync(path, "utf8");
  const pattern = /<!-- bench:automation:start -->[\s\S]*<!-- bench:automation:end -->/;
  writeFileSync(path, pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`);
}

const server = await startDevServer({ vars: { JWT_SECRET: "bench-jwt-secret", METRICS_TOKEN: "bench-metrics-token" } });
try {
  const { baseUrl } = server;
  await setup(baseUrl);
  const tokens = [];
  // One user alone, USERS together, and a fresh one for the schedules.
  for (let i = 0; i < USERS + 2; i++) tokens.push(await newUser(baseUrl, i));
  const queue = [
    await throughput(baseUrl, [tokens[0]], TASKS),
    await throughput(baseUrl, tokens.slice(1, 1 + USERS), Math.ceil(TASKS / USERS)),
  ];
  process.stderr.write("\n");
  const sched = await scheduling(baseUrl, tokens[tokens.length - 1]);
  process.stderr.write("\n");
  const f = machineFacts();
  const facts = `${f.cores} cores (${f.cpu}), ${f.memory_gib} GiB, Node ${f.node}, wrangler ${f.wrangler}`;
  const results = { at: new Date().toISOString(), queue, scheduling: sched, facts };
  writeFileSync("bench/results/automation.json", `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  if (!values["no-report"]) report(results);
} finally {
  server.stop();
}
