/**
 * `npm run bench:knowledge`: starts the app as `npm start` would (fresh local
 * state, local hashing embedder, local VectorShard index) and measures
 *   - upload throughput: streamed PUT /api/v1/files of 1, 8 and 24 MiB files, sent
 *     with a Content-Length (one native pipe into R2) and chunked without one (an R2
 *     multipart upload in 8 MiB parts);
 *   - memory search latency (GET /api/v1/memories/search, one client, end to
 *     end: embedding, FTS5, vector scan, D1 reads) in each mode, with 10k and
 *     then 100k chunks in the user's index.
 * Seeding goes through the API too (memories of 100 chunks each). Results go to
 * bench/results/knowledge.json and the "Files and memory" section of docs/PERFORMANCE.md.
 * Options: --sizes 10000,100000  --queries 60  --uploads 5
 *          --uploads-only (keep the last search results from bench/results/knowledge.json)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDevServer } from "../cli/dev/dev-server.mjs";
import { api, liftLimits } from "./client.mjs";
import { machineFacts } from "./report.mjs";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "60" },
    uploads: { type: "string", default: "5" },
    "uploads-only": { type: "boolean", default: false },
    "no-report": { type: "boolean", default: false },
  },
});
const SIZES = values.sizes.split(",").map(Number);
const CHUNKS_PER_MEMORY = 100;
const SEED_CONCURRENCY = 4;
const progress = (message) => process.stderr.write(`\r\x1b[2K› ${message}`);

/** A small deterministic PRNG (mulberry32), so every run indexes the same text. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(42);
const SYLLABLES = "ka lo mi ne ru sa to vi de pa ge ho ju ba co fi li mo nu si ta we ya zo".split(" ");
/** 4,000 made-up words with a Zipf-like frequency: common ones recur, rare ones make queries selective. */
const VOCABULARY = Array.from({ length: 4000 }, () =>
  Array.from({ length: 2 + Math.floor(next() * 3) }, () => SYLLABLES[Math.floor(next() * SYLLABLES.length)]).join(""),
);
const word = () => VOCABULARY[Math.floor(VOCABULARY.length * next() ** 2.5)];
const paragraph = () => {
  const words = [];
  while (words.join(" ").length < 780) words.push(word());
  return `${words.join(" ")}.`;
};

async function setup(baseUrl) {
  await liftLimits(baseUrl);
  // The config cache of other isolates lives up to 5 s.
  await new Promise((resolve) => setTimeout(resolve, 5500));
  const demo = await api(baseUrl, "/api/v1/auth/login", {
    method: "POST",
    body: { email: "demo@edgewise.dev", password: "edgewise-demo-pass" },
  });
  return demo.access_token;
}

/** The request body for one upload: the whole buffer with its length, or a stream of 64 KiB chunks without one. */
function uploadBody(bytes, mode) {
  if (mode === "content-length") return { body: bytes, headers: { "content-length": String(bytes.length) } };
  let offset = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
  return { body, headers: {}, duplex: "half" };
}

async function timeUpload(baseUrl, token, bytes, mode, mib) {
  const { headers, ...body } = uploadBody(bytes, mode);
  const started = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/files?filename=bench-${mib}.txt`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/plain", ...headers },
    ...body,
  });
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return (performance.now() - started) / 1000;
}

async function measureUploads(baseUrl, token) {
  const rows = [];
  for (const mode of ["content-length", "chunked"]) {
    for (const mib of [1, 8, 24]) {
      const bytes = Buffer.alloc(mib * 2 ** 20);
      for (let i = 0; i < bytes.length; i++) bytes[i] = 97 + (i % 26);
      const seconds = [];
      for (let run = 0; run < Number(values.uploads); run++) {
        progress(`upload ${mib} MiB ${mode}, run ${run + 1}`);
        seconds.push(await timeUpload(baseUrl, token, bytes, mode, mib));
      }
      seconds.sort((a, b) => a - b);
      const median = seconds[Math.floor(seconds.length / 2)];
      rows.push({
        mib,
        mode,
        runs: seconds.length,
        median_s: +median.toFixed(3),
        mb_per_s: +(mib / median).toFixed(1),
      });
    }
  }
  return rows;
}

async function seed(baseUrl, token, from, to) {
  let done = from;
  const memories = Math.ceil((to - from) / CHUNKS_PER_MEMORY);
  let issued = 0;
  const worker = async () => {
    while (issued < memories) {
      issued++;
      const content = Array.from({ length: CHUNKS_PER_MEMORY }, paragraph).join("\n\n");
      await api(baseUrl, "/api/v1/memories", { token, method: "POST", body: { content, category: "bench" } });
      done += CHUNKS_PER_MEMORY;
      progress(`seeding chunks: ${done}/${to}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measureSearch(baseUrl, token, chunks) {
  const queries = Array.from({ length: Number(values.queries) }, () => `${word()} ${word()} ${word()}`);
  const rows = [];
  for (const mode of ["keyword", "vector", "hybrid"]) {
    const search = (q) =>
      api(baseUrl, `/api/v1/memories/search?${new URLSearchParams({ q, mode, limit: "10" })}`, { token });
    for (const q of queries.slice(0, 5)) await search(q);
    const ms = [];
    for (const [i, q] of queries.entries()) {
      progress(`search ${mode} at ${chunks} chunks: ${i + 1}/${queries.length}`);
      const started = performance.now();
      await search(q);
      ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    rows.push({
      chunks,
      mode,
      samples: ms.length,
      p50_ms: +percentile(ms, 50).toFixed(1),
      p95_ms: +percentile(ms, 95).toFixed(1),
    });
  }
  return rows;
}

const START = "<!-- bench:knowledge:start -->";
const END = "<!-- bench:knowledge:end -->";

function report(results) {
  const doc = new URL("../docs/PERFORMANCE.md", import.meta.url);
  const m = results.machine;
  const section = [
    START,
    "## Files and memory",
    "",
    `Measured ${results.at.slice(0, 10)} (search ${(results.search_at ?? results.at).slice(0, 10)}) with \`npm run bench:knowledge\` against \`wrangler dev --local\` on ${m.cores} × ${m.cpu}, ${m.memory_gib} GiB, Node ${m.node}, ${m.wrangler}; local hashing embedder (256 dimensions) and the local VectorShard index.`,
    "",
    "### Upload: streamed PUT /api/v1/files (SHA-256 and sniffing on the way to R2)",
    "",
    "`content-length`: one native pipe into `R2.put`. `chunked` (no length): an R2 multipart upload, 8 MiB parts gathered in the Worker, counted and hashed chunk by chunk. Chunked costs a copy of each part in the Worker plus the create and complete calls, which shows on small files; past one part the two are within noise here (local R2 writes to disk).",
    "",
    "| file | sent | runs | median time (s) | throughput (MB/s) |",
    "|---|---|---|---|---|",
    ...results.uploads.map(
      (r) => `| ${r.mib} MiB | ${r.mode ?? "content-length"} | ${r.runs} | ${r.median_s} | ${r.mb_per_s} |`,
    ),
    "",
    "### Memory search: GET /api/v1/memories/search, one client, limit 10, end to end",
    "",
    "| chunks indexed | mode | samples | p50 (ms) | p95 (ms) |",
    "|---|---|---|---|---|",
    ...results.search.map(
      (r) => `| ${r.chunks.toLocaleString("en")} | ${r.mode} | ${r.samples} | ${r.p50_ms} | ${r.p95_ms} |`,
    ),
    "",
    "Each search is the whole request: authentication and rate limit (the platform floor above), embedding the query, the FTS5 query and/or the VectorShard scan (exact, int8, the user's shard only), then reading the hits from D1. Hybrid runs both retrievers; on this 2-core machine they compete for the same cores.",
    "",
    `Seeding: ${results.seed.map((s) => `${s.chunks.toLocaleString("en")} chunks in ${s.seconds} s`).join(", ")} (memories of ${CHUNKS_PER_MEMORY} chunks, ${SEED_CONCURRENCY} at a time, through the API).`,
    END,
  ].join("\n");
  const current = readFileSync(doc, "utf8");
  const next =
    current.includes(START) && current.includes(END)
      ? current.replace(new RegExp(`${START}[\\s\\S]*${END}`), section)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(doc, next);
}

async function measureAllSearch(server, token, at) {
  const search = [];
  const seeded = [];
  let have = 0;
  for (const size of SIZES) {
    const started = performance.now();
    await seed(server.baseUrl, token, have, size);
    seeded.push({ chunks: size, seconds: Math.round((performance.now() - started) / 1000) });
    have = size;
    search.push(...(await measureSearch(server.baseUrl, token, size)));
  }
  return { search, seed: seeded, search_at: at };
}

/** --uploads-only: the search part of the last full run, kept as it was. */
function lastResults() {
  const last = JSON.parse(readFileSync(new URL("./results/knowledge.json", import.meta.url), "utf8"));
  return { search: last.search, seed: last.seed, search_at: last.search_at ?? last.at };
}

const server = await startDevServer({ vars: { JWT_SECRET: "bench-jwt-secret", PBKDF2_ITERATIONS: "1000" } });
try {
  const token = await setup(server.baseUrl);
  const uploads = await measureUploads(server.baseUrl, token);
  const at = new Date().toISOString();
  const {
    search,
    seed: seeded,
    search_at,
  } = values["uploads-only"] ? lastResults() : await measureAllSearch(server, token, at);
  process.stderr.write("\n");
  const results = { at, machine: machineFacts(), uploads, seed: seeded, search, search_at };
  writeFileSync(new URL("./results/knowledge.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  if (!values["no-report"]) report(results);
} finally {
  server.stop();
}
