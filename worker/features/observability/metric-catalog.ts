/**
 * Every metric Edgewise exports, with its type, help text and (for histograms)
 * bucket bounds in seconds. Isolates and the MetricsHub share this list; a
 * sample whose name is not here is dropped. Later features add their metrics.
 */

export type MetricKind = "counter" | "histogram" | "gauge";
export type MetricDefinition = { kind: MetricKind; help: string; buckets?: readonly number[] };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const METRICS = {
  http_requests_total: { kind: "counter", help: "HTTP requests served, by method, route pattern and status" },
  http_request_duration_seconds: {
    kind: "histogram",
    help: "Time from request to response, by method and route pattern",
    buckets: LATENCY_BUCKETS,
  },
  websocket_connections_active: { kind: "gauge", help: "Open live-hub WebSocket connections" },
  hub_events_published_total: { kind: "counter", help: "Events published to live hubs, by type" },
  auth_events_total: { kind: "counter", help: "Authentication outcomes (login, refresh, reuse detected…)" },
  rate_limited_total: { kind: "counter", help: "Requests answered 429, by limit" },
  tool_executions_total: {
    kind: "counter",
    help: "Tool executions by tool (remote MCP tools as `mcp`), source and outcome status",
  },
  tool_execution_duration_seconds: {
    kind: "histogram",
    help: "Time a tool execution took, from the call to its recorded outcome, by tool",
    buckets: LATENCY_BUCKETS,
  },
  chat_turns_total: { kind: "counter", help: "Chat turns that ended, by status and (for failures) code" },
  chat_turn_duration_seconds: {
    kind: "histogram",
    help: "Time from a user's message to the end of its turn (approval waits included), by status",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  },
  chat_tool_calls_total: { kind: "counter", help: "Tool calls run by chat turns, by result status" },
  file_uploads_total: { kind: "counter", help: "Files stored, by content type family (text, application, image)" },
  file_upload_bytes_total: { kind: "counter", help: "Bytes of files stored" },
  file_extractions_total: {
    kind: "counter",
    help: "Document extractions, by format and outcome (done, or the failure code)",
  },
  memory_search_duration_seconds: {
    kind: "histogram",
    help: "Memory search time inside the Worker (embedding, keyword and vector retrieval, fusion), by mode",
    buckets: LATENCY_BUCKETS,
  },
  tasks_total: {
    kind: "counter",
    help: "Tasks that ended, by final status (succeeded, failed, cancelled); a retried task counts each time it ends",
  },
  workflow_runs_total: { kind: "counter", help: "Workflow runs that ended, by status (succeeded, failed, cancelled)" },
  workflow_step_retries_total: {
    kind: "counter",
    help: "Workflow step attempts that failed and were scheduled to run again, by step kind",
  },
  schedule_runs_total: {
    kind: "counter",
    help: "Schedule ticks by outcome: skipped, not_started (the work could not start), or how the work ended",
  },
  schedule_start_latency_seconds: {
    kind: "histogram",
    help: "Time from a schedule's tick being due to its task or workflow run starting",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  },
  webhook_deliveries_total: {
    kind: "counter",
    help: "Webhook deliveries that ended, by outcome (succeeded, failed after every attempt, cancelled with their subscription)",
  },
  dead_letters_total: {
    kind: "counter",
    help: "Dead letters created, by source (task, workflow_run, webhook_delivery)",
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export type Labels = Record<string, string>;

export type MetricBatch = {
  counters: Array<{ name: MetricName; labels: Labels; value: number }>;
  histograms: Array<{ name: MetricName; labels: Labels; counts: number[]; sum: number; count: number }>;
};

/** A stable key for a label set: sorted `k="v"` pairs, also the Prometheus label text. */
export function labelText(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map(
      (key) =>
        `${key}="${String(labels[key]).replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`,
    )
    .join(",");
}
