/**
 * Turns a bench run into the "Platform core" section of docs/PERFORMANCE.md:
 * tables, the baseline ratios, the machine and the exact command. Other
 * sections of the file (later features' benches) are left as they are.
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const DOC = new URL("../docs/PERFORMANCE.md", import.meta.url);
const START = "<!-- bench:core:start -->";
const END = "<!-- bench:core:end -->";

export function machineFacts() {
  const wrangler = execSync("npx wrangler --version", { encoding: "utf8" }).trim().split("\n").at(-1);
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    wrangler,
  };
}

const short = (name) => name.split(" (")[0].replace("baseline GET /__baseline", "baseline");

function httpRows(rows, base) {
  return rows.map((r) => {
    const ratio =
      r === base
        ? "1.00×"
        : `${(r.p50_ms / base.p50_ms).toFixed(2)}× p50, ${(base.rps / r.rps).toFixed(2)}× fewer req/s`;
    return `| ${r.name} | ${r.rps} | ${r.p50_ms} | ${r.p95_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.errors} | ${ratio} |`;
  });
}

/** A Mermaid xychart (GitHub renders it): bars for one series, a line for another. */
function chart(title, labels, yLabel, bars, line) {
  const top = Math.ceil(Math.max(...bars, ...line) * 1.15);
  return [
    "```mermaid",
    "xychart-beta",
    `    title "${title}"`,
    `    x-axis [${labels.map((label) => `"${label}"`).join(", ")}]`,
    `    y-axis "${yLabel}" 0 --> ${top}`,
    `    bar [${bars.join(", ")}]`,
    `    line [${line.join(", ")}]`,
    "```",
  ];
}

function section(results, args) {
  const head = "| scenario | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | vs baseline |";
  const rule = "|---|---:|---:|---:|---:|---:|---:|---|";
  const fan = results.fanout.map(
    (f) =>
      `| ${f.sockets} | ${f.events} | ${f.delivery_p50_ms} | ${f.delivery_p95_ms} | ${f.delivery_p99_ms} | ${f.all_delivered_p50_ms} | ${f.all_delivered_max_ms} |`,
  );
  const m = results.machine;
  const labels = results.http.map((r) => short(r.name));
  return [
    START,
    "## Platform core",
    "",
    `Measured ${results.at} with \`npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}\` on ${m.cores} cores (${m.cpu}), ${m.memory_gib} GiB, Node ${m.node}, wrangler ${m.wrangler}.`,
    "The app runs under `wrangler dev` (two workerd processes: wrangler's proxy in front of the runtime, with local",
    "D1 and Durable Objects), and the load generator shares the same 2 cores, so absolute numbers are a floor for",
    "this machine, not Cloudflare's edge. The ratios to the bare-Hono baseline in the same Worker are the signal.",
    "",
    `### HTTP: ${results.concurrency} concurrent clients, ${results.seconds} s per scenario (closed loop, keep-alive)`,
    "",
    head,
    rule,
    ...httpRows(results.http, results.http[0]),
    "",
    ...chart(
      `Latency at ${results.concurrency} clients: p50 (bars), p95 (line), ms`,
      labels,
      "ms",
      results.http.map((r) => r.p50_ms),
      results.http.map((r) => r.p95_ms),
    ),
    "",
    `### HTTP unloaded: 1 client, ${Math.ceil(results.seconds / 3)} s per scenario`,
    "",
    head,
    rule,
    ...httpRows(results.unloaded ?? [], results.unloaded?.[0]),
    "",
    "### Live hub fan-out: one publish (POST /api/v1/events) to N sockets of one user",
    "",
    "Latency from sending the publish request to the event arriving on a socket.",
    "",
    "| sockets | events | per-socket p50 ms | p95 ms | p99 ms | all sockets reached, p50 ms | worst ms |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...fan,
    "",
    ...chart(
      "Fan-out: all sockets reached p50 (bars), worst (line), ms",
      results.fanout.map((f) => `${f.sockets} sockets`),
      "ms",
      results.fanout.map((f) => f.all_delivered_p50_ms),
      results.fanout.map((f) => f.all_delivered_max_ms),
    ),
    END,
  ].join("\n");
}

export function writeReport(results, args) {
  const current = existsSync(DOC)
    ? readFileSync(DOC, "utf8")
    : "# Performance\n\nEvery number here comes from a script in `bench/`; each section names the command that produced it.\n\n";
  const block = section(results, args);
  const next = current.includes(START)
    ? current.replace(new RegExp(`${START}[\\s\\S]*?${END}`), block)
    : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
  console.error(`› wrote ${DOC.pathname}`);
}
