/**
 * The known system settings: each key has a zod schema, a default and a
 * description. Admins change them at runtime through /api/v1/admin/config;
 * later features add their keys here.
 */
import { z } from "@hono/zod-openapi";

const RateRule = z.object({
  limit: z.number().int().min(1).max(1_000_000),
  window_seconds: z.number().int().min(1).max(86_400),
});
export type RateRule = z.infer<typeof RateRule>;

/** USD per million tokens; `cached_input` defaults to `input`. */
const ModelPrice = z.object({
  input_per_mtok: z.number().min(0).max(10_000),
  output_per_mtok: z.number().min(0).max(10_000),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const CONFIG_REGISTRY = {
  rate_limits: {
    description: "Requests allowed per window: per client IP on /auth routes, per user or API key elsewhere",
    isPublic: false,
    schema: z.object({ auth_per_ip: RateRule, api_per_principal: RateRule }),
    default: {
      auth_per_ip: { limit: 30, window_seconds: 60 },
      api_per_principal: { limit: 1200, window_seconds: 60 },
    },
  },
  hub_limits: {
    description: "Live hub limits: sockets per user, topics per socket, events kept for replay",
    isPublic: false,
    schema: z.object({
      max_connections_per_user: z.number().int().min(1).max(10_000),
      max_topics_per_connection: z.number().int().min(1).max(1_000),
      replay_buffer_size: z.number().int().min(10).max(10_000),
    }),
    default: { max_connections_per_user: 20, max_topics_per_connection: 50, replay_buffer_size: 500 },
  },
  api_keys: {
    description: "API keys: how many active (unrevoked, unexpired) keys one user may hold",
    isPublic: false,
    schema: z.object({ max_active_per_user: z.number().int().min(1).max(10_000) }),
    default: { max_active_per_user: 50 },
  },
  registration: {
    description: "Whether anyone may register (admins can still create users when closed)",
    isPublic: true,
    schema: z.object({ open: z.boolean() }),
    default: { open: true },
  },
  model_prices: {
    description:
      "Model prices in USD per million tokens, keyed by model id (the part after `provider:`); `*` prices models not listed",
    isPublic: true,
    schema: z.record(z.string().min(1).max(200), ModelPrice),
    default: {
      "*": { input_per_mtok: 0, output_per_mtok: 0 },
      "gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10 },
      "gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6 },
      "claude-sonnet-4-5": { input_per_mtok: 3, output_per_mtok: 15 },
      "claude-haiku-4-5": { input_per_mtok: 1, output_per_mtok: 5 },
      "gemini-2.5-flash": { input_per_mtok: 0.3, output_per_mtok: 2.5 },
      "@cf/meta/llama-3.1-8b-instruct": { input_per_mtok: 0.28, output_per_mtok: 0.83 },
    } as Record<string, ModelPrice>,
  },
  agent_defaults: {
    description: "Pipeline defaults an agent's configuration can override",
    isPublic: false,
    schema: z.object({
      model: z.string().min(3).max(200),
      max_steps: z.number().int().min(1).max(50),
      history_window: z.number().int().min(2).max(500),
      context_budget_tokens: z.number().int().min(500).max(2_000_000),
      tool_timeout_ms: z.number().int().min(100).max(300_000),
      max_parallel_tools: z.number().int().min(1).max(32),
    }),
    default: {
      model: "offline:assistant",
      max_steps: 8,
      history_window: 40,
      context_budget_tokens: 16_000,
      tool_timeout_ms: 15_000,
      max_parallel_tools: 8,
    },
  },
  tool_limits: {
    description:
      "Per-tool rate limits (calls per window, per user) and daily quotas; `default` applies to tools not listed",
    isPublic: false,
    schema: z.record(
      z.string().min(1).max(200),
      RateRule.extend({ daily_quota: z.number().int().min(1).max(10_000_000).optional() }),
    ),
    default: {
      default: { limit: 60, window_seconds: 60, daily_quota: 5_000 },
      http_fetch: { limit: 30, window_seconds: 60, daily_quota: 1_000 },
      web_search: { limit: 20, window_seconds: 60, daily_quota: 500 },
    } as Record<string, RateRule & { daily_quota?: number }>,
  },
  outbound: {
    description:
      "Outbound fetches users can steer (http_fetch, web search, MCP servers, model base URLs): limits, and hosts (host or host:port) exempt from the private-address guard",
    isPublic: false,
    schema: z.object({
      allow_private_hosts: z.array(z.string().min(1).max(300)).max(100),
      max_response_bytes: z.number().int().min(1024).max(50_000_000),
      timeout_ms: z.number().int().min(100).max(120_000),
    }),
    default: { allow_private_hosts: [] as string[], max_response_bytes: 2_000_000, timeout_ms: 10_000 },
  },
  web_search: {
    description:
      "The web_search tool's provider: a SearXNG, Brave or Tavily style JSON API (the key is set per user in the web extension)",
    isPublic: false,
    schema: z.object({
      kind: z.enum(["searxng", "brave", "tavily"]),
      endpoint: z.string().url().max(500),
      max_results: z.number().int().min(1).max(50),
    }),
    default: { kind: "searxng", endpoint: "https://searx.example.org/search", max_results: 5 },
  },
  task_queue: {
    description:
      "The task queue: tasks running at once per user, default retries and their backoff, default timeout, and how long a running task's lease lasts before a crashed run is picked up again",
    isPublic: false,
    schema: z.object({
      max_concurrent_per_user: z.number().int().min(1).max(1_000),
      default_max_retries: z.number().int().min(0).max(20),
      retry_base_ms: z.number().int().min(10).max(3_600_000),
      retry_max_ms: z.number().int().min(10).max(86_400_000),
      default_timeout_ms: z.number().int().min(100).max(3_600_000),
      lease_ms: z.number().int().min(1_000).max(3_600_000),
    }),
    default: {
      max_concurrent_per_user: 4,
      default_max_retries: 3,
      retry_base_ms: 1_000,
      retry_max_ms: 300_000,
      default_timeout_ms: 60_000,
      lease_ms: 30_000,
    },
  },
  integration_rate_limits: {
    description:
      "Token buckets per integration (a task's or step's `integration`), per user: calls per window; integrations not listed are not limited",
    isPublic: false,
    schema: z.record(z.string().regex(/^[a-z0-9_.-]{1,64}$/), RateRule),
    default: {} as Record<string, RateRule>,
  },
  workflow_limits: {
    description: "Workflows: steps per definition, nesting depth, default step timeout and retry backoff",
    isPublic: false,
    schema: z.object({
      max_steps: z.number().int().min(1).max(1_000),
      max_depth: z.number().int().min(1).max(20),
      default_step_timeout_ms: z.number().int().min(100).max(3_600_000),
      retry_base_ms: z.number().int().min(10).max(3_600_000),
      retry_max_ms: z.number().int().min(10).max(86_400_000),
    }),
    default: {
      max_steps: 100,
      max_depth: 5,
      default_step_timeout_ms: 60_000,
      retry_base_ms: 1_000,
      retry_max_ms: 300_000,
    },
  },
  schedules: {
    description:
      "Schedules: how late a tick may fire and still count as on time (later ones follow the missed-run policy), and schedules per user",
    isPublic: false,
    schema: z.object({
      misfire_grace_ms: z.number().int().min(1_000).max(86_400_000),
      max_per_user: z.number().int().min(1).max(10_000),
    }),
    default: { misfire_grace_ms: 300_000, max_per_user: 100 },
  },
  webhooks: {
    description:
      "Webhook deliveries: attempts per delivery and their backoff, request timeout, and consecutive failed attempts after which a subscription is disabled",
    isPublic: false,
    schema: z.object({
      max_attempts: z.number().int().min(1).max(50),
      retry_base_ms: z.number().int().min(10).max(3_600_000),
      retry_max_ms: z.number().int().min(10).max(86_400_000),
      timeout_ms: z.number().int().min(100).max(60_000),
      disable_after_failures: z.number().int().min(1).max(1_000),
    }),
    default: {
      max_attempts: 6,
      retry_base_ms: 2_000,
      retry_max_ms: 3_600_000,
      timeout_ms: 10_000,
      disable_after_failures: 20,
    },
  },
  event_store: {
    description: "The event store: days events stay in D1 before the cron moves them to R2",
    isPublic: false,
    schema: z.object({ keep_days: z.number().int().min(1).max(3_650) }),
    default: { keep_days: 30 },
  },
  file_limits: {
    description:
      "Uploads: the largest file accepted, the content types accepted (exact, or `type/*`), the longest life of a signed download link, and the largest file extraction reads",
    isPublic: true,
    schema: z.object({
      max_upload_bytes: z
        .number()
        .int()
        .min(1)
        .max(1024 * 1024 * 1024),
      allowed_types: z.array(z.string().min(3).max(200)).min(1).max(100),
      max_link_seconds: z
        .number()
        .int()
        .min(60)
        .max(30 * 86_400),
      max_extract_bytes: z
        .number()
        .int()
        .min(1024)
        .max(100 * 1024 * 1024),
    }),
    default: {
      max_upload_bytes: 25 * 1024 * 1024,
      allowed_types: [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/json",
        "text/*",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
      ] as string[],
      max_link_seconds: 7 * 86_400,
      max_extract_bytes: 20 * 1024 * 1024,
    },
  },
  document_limits: {
    description:
      "Reading DOCX/XLSX: the most ZIP entries, bytes one part may inflate to, bytes all parts together, populated cells, and cells a sheet's extent (last row × last column) may span; past any, 422 document_too_large",
    isPublic: false,
    schema: z.object({
      max_zip_entries: z.number().int().min(10).max(100_000),
      max_part_bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(256 * 1024 * 1024),
      max_inflated_bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(512 * 1024 * 1024),
      max_cells: z.number().int().min(100).max(10_000_000),
      max_sheet_extent: z.number().int().min(100).max(100_000_000),
    }),
    default: {
      max_zip_entries: 5_000,
      max_part_bytes: 16 * 1024 * 1024,
      max_inflated_bytes: 48 * 1024 * 1024,
      max_cells: 1_000_000,
      max_sheet_extent: 2_000_000,
    },
  },
  knowledge: {
    description:
      "Memory and knowledge: chunk size and overlap in characters, and how many chunks agents' context building draws on",
    isPublic: false,
    schema: z.object({
      chunk_chars: z.number().int().min(200).max(8_000),
      chunk_overlap_chars: z.number().int().min(0).max(2_000),
      context_chunks: z.number().int().min(1).max(50),
    }),
    default: { chunk_chars: 900, chunk_overlap_chars: 120, context_chunks: 6 },
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_REGISTRY;
export type ConfigValue<K extends ConfigKey> = z.infer<(typeof CONFIG_REGISTRY)[K]["schema"]>;
export const CONFIG_KEYS = Object.keys(CONFIG_REGISTRY) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_REGISTRY, key);
}
