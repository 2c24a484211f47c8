/**
 * MetricsHub: the one place the whole app's metrics add up. Every isolate sends
 * its batched samples here (worker/features/observability/collector.ts), live hubs
 * set their connection gauges, and /metrics renders the sum. Series persist in
 * this object's SQLite so counters survive eviction, as Prometheus expects.
 */
import { DurableObject } from "cloudflare:workers";
import {
  isMetricName,
  labelText,
  METRICS,
  type MetricBatch,
  type MetricName,
} from "../../worker/features/observability/metric-catalog";
import { renderPrometheus, type Series } from "./prometheus";

type Stored = { key: string; name: string; kind: string; labels: string; source: string; state: string };

export class MetricsHub extends DurableObject<Env> {
  /** Counters and histograms by `name{labels}`; gauges by `name{labels}` then source. */
  #series = new Map<string, Series>();
  #gauges = new Map<string, Map<string, number>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, name TEXT, kind TEXT, labels TEXT, source TEXT, state TEXT)",
      );
      for (const row of ctx.storage.sql.exec<Stored>("SELECT * FROM series")) this.#load(row);
    });
  }

  #load(row: Stored) {
    if (!isMetricName(row.name)) return;
    if (row.kind === "gauge") this.#gaugeSources(row.name, row.labels).set(row.source, Number(row.state));
    else
      this.#series.set(`${row.name}{${row.labels}}`, { name: row.name, labels: row.labels, ...JSON.parse(row.state) });
  }

  #gaugeSources(name: MetricName, labels: string) {
    const key = `${name}{${labels}}`;
    let sources = this.#gauges.get(key);
    if (!sources) {
      sources = new Map();
      this.#gauges.set(key, sources);
    }
    return sources;
  }

  #save(key: string, series: Series, source = "") {
    const state =
      series.kind === "histogram"
        ? JSON.stringify({ kind: "histogram", counts: series.counts, sum: series.sum, count: series.count })
        : series.kind === "counter"
          ? JSON.stringify({ kind: "counter", value: series.value })
          : String(series.value);
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO series (key, name, kind, labels, source, state) VALUES (?, ?, ?, ?, ?, ?)",
      `${key}|${source}`,
      series.name,
      series.kind,
      series.labels,
      source,
      state,
    );
  }

  /** Adds one isolate's batch of samples. */
  record(batch: MetricBatch): void {
    for (const sample of batch.counters) {
      if (!isMetricName(sample.name)) continue;
      const labels = labelText(sample.labels);
      const key = `${sample.name}{${labels}}`;
      const current = this.#series.get(key);
      const value = (current?.kind === "counter" ? current.value : 0) + sample.value;
      const series: Series = { kind: "counter", name: sample.name, labels, value };
      this.#series.set(key, series);
      this.#save(key, series);
    }
    for (const sample of batch.histograms) {
      if (!isMetricName(sample.name)) continue;
      const labels = labelText(sample.labels);
      const key = `${sample.name}{${labels}}`;
      const current = this.#series.get(key);
      const base = current?.kind === "histogram" ? current : { counts: [] as number[], sum: 0, count: 0 };
      const counts = sample.counts.map((n, i) => n + (base.counts[i] ?? 0));
      const series: Series = {
        kind: "histogram",
        name: sample.name,
        labels,
        counts,
        sum: base.sum + sample.sum,
        count: base.count + sample.count,
      };
      this.#series.set(key, series);
      this.#save(key, series);
    }
  }

  /** Sets one source's share of a gauge (e.g. one user hub's open sockets); the total is their sum. */
  setGauge(name: MetricName, labels: Record<string, string>, source: string, value: number): void {
    if (!isMetricName(name) || METRICS[name].kind !== "gauge") return;
    const text = labelText(labels);
    const sources = this.#gaugeSources(name, text);
    if (value === 0) {
      sources.delete(source);
      this.ctx.storage.sql.exec("DELETE FROM series WHERE key = ?", `${name}{${text}}|${source}`);
      return;
    }
    sources.set(source, value);
    this.#save(`${name}{${text}}`, { kind: "gauge", name, labels: text, value }, source);
  }

  render(): string {
    const gauges: Series[] = [];
    for (const [key, sources] of this.#gauges) {
      const name = key.slice(0, key.indexOf("{")) as MetricName;
      const labels = key.slice(key.indexOf("{") + 1, -1);
      gauges.push({ kind: "gauge", name, labels, value: [...sources.values()].reduce((a, b) => a + b, 0) });
    }
    return renderPrometheus([...this.#series.values(), ...gauges]);
  }

  ping(): "ok" {
    return "ok";
  }
}
