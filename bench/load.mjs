/**
 * A closed-loop HTTP load generator: `concurrency` clients each send their next
 * request as soon as the last one answers, for `seconds`. Every latency is kept,
 * so percentiles are exact rather than bucketed. Used by bench/run.mjs.
 */
import { Agent, request } from "undici";

export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export function summarize(latenciesMs, seconds, errors) {
  const sorted = Float64Array.from(latenciesMs).sort();
  const round = (ms) => Math.round(ms * 100) / 100;
  return {
    requests: sorted.length,
    errors,
    rps: Math.round(sorted.length / seconds),
    p50_ms: round(percentile(sorted, 50)),
    p95_ms: round(percentile(sorted, 95)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? 0),
  };
}

/**
 * @param {{ url: string, method?: string, headers?: Record<string,string>, body?: () => string,
 *           concurrency: number, seconds: number, expectStatus: number }} spec
 */
export async function runLoad(spec) {
  const dispatcher = new Agent({ connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + spec.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const res = await request(spec.url, {
          method: spec.method ?? "GET",
          headers: spec.headers,
          body: spec.body?.(),
          dispatcher,
        });
        await res.body.dump();
        if (res.statusCode === spec.expectStatus) latencies.push(performance.now() - started);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  return summarize(latencies, elapsed, errors);
}
