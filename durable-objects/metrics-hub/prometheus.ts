/** Renders the MetricsHub's series as Prometheus text exposition format 0.0.4. */
import { METRICS, type MetricName } from "../../worker/features/observability/metric-catalog";

export type Series =
  | { kind: "counter"; name: MetricName; labels: string; value: number }
  | { kind: "histogram"; name: MetricName; labels: string; counts: number[]; sum: number; count: number }
  | { kind: "gauge"; name: MetricName; labels: string; value: number };

const braces = (labels: string) => (labels ? `{${labels}}` : "");
const join = (...parts: string[]) => parts.filter(Boolean).join(",");

function histogramLines(series: Extract<Series, { kind: "histogram" }>): string[] {
  const bounds = (METRICS[series.name] as { buckets?: readonly number[] }).buckets ?? [];
  let cumulative = 0;
  const lines = bounds.map((bound, i) => {
    cumulative += series.counts[i] ?? 0;
    return `${series.name}_bucket${braces(join(series.labels, `le="${bound}"`))} ${cumulative}`;
  });
  lines.push(`${series.name}_bucket${braces(join(series.labels, 'le="+Inf"'))} ${series.count}`);
  lines.push(`${series.name}_sum${braces(series.labels)} ${series.sum}`);
  lines.push(`${series.name}_count${braces(series.labels)} ${series.count}`);
  return lines;
}

export function renderPrometheus(series: Series[]): string {
  const lines: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const definition = METRICS[name];
    lines.push(`# HELP ${name} ${definition.help}`, `# TYPE ${name} ${definition.kind}`);
    const own = series.filter((s) => s.name === name).sort((a, b) => a.labels.localeCompare(b.labels));
    if (definition.kind === "gauge" && own.length === 0) lines.push(`${name} 0`);
    for (const s of own) {
      if (s.kind === "histogram") lines.push(...histogramLines(s));
      else lines.push(`${name}${braces(s.labels)} ${s.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
