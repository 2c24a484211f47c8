/**
 * Agents, chat sessions, model providers, tools, extensions, usage and budgets.
 * The live conversation itself (messages, stream events, turn state) lives in each
 * session's ChatSession Durable Object; D1 keeps the index rows that lists,
 * search, usage and budgets need across sessions. Money is integer micro-dollars.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";
import { owner } from "./owner";

export const AGENT_TYPES = ["assistant", "research", "document", "web", "project", "custom"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

/** Per-agent knobs; everything optional, defaults live in the pipeline. */
export type AgentConfig = {
  temperature?: number;
  max_steps?: number;
  max_output_tokens?: number;
  history_window?: number;
  context_budget_tokens?: number;
  tool_timeout_ms?: number;
  memory_retrieval?: boolean;
};

export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    type: text("type", { enum: AGENT_TYPES }).notNull().default("assistant"),
    /** `provider:model`, e.g. `workers-ai:@cf/meta/llama-3.1-8b-instruct`, `my-ollama:llama3.2`, `offline:assistant`. */
    model: text("model").notNull(),
    fallbackModels: text("fallback_models", { mode: "json" }).$type<string[]>().notNull().default([]),
    systemPrompt: text("system_prompt").notNull().default(""),
    /** Tool names the agent may call; each must be enabled for the owner when a turn runs. */
    tools: text("tools", { mode: "json" }).$type<string[]>().notNull().default([]),
    config: text("config", { mode: "json" }).$type<AgentConfig>().notNull().default({}),
    templateId: text("template_id"),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("agents_user_idx").on(t.userId, t.createdAt, t.id)],
);

export const SESSION_STATUSES = ["active", "ended"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The list/index row of a chat session; the conversation is in its Durable Object. */
export const chatSessions = sqliteTable(
  "chat_sessions",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    status: text("status", { enum: SESSION_STATUSES }).notNull().default("active"),
    messageCount: integer("message_count").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
    lastMessageAt: integer("last_message_at"),
    endedAt: integer("ended_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("chat_sessions_user_idx").on(t.userId, t.updatedAt, t.id),
    index("chat_sessions_agent_idx").on(t.agentId),
  ],
);

export const PROVIDER_KINDS = ["openai-compatible", "openai", "anthropic", "google", "workers-ai"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * A user's model provider: its `name` is the `provider` half of `provider:model`.
 * The API key is AES-GCM encrypted (lib/encryption.ts); only its last four characters are readable.
 */
export const modelProviders = sqliteTable(
  "model_providers",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    kind: text("kind", { enum: PROVIDER_KINDS }).notNull(),
    baseUrl: text("base_url"),
    apiKeyEncrypted: text("api_key_encrypted"),
    apiKeyHint: text("api_key_hint"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("model_providers_user_name_idx").on(t.userId, t.name)],
);

export const TOOL_EXECUTION_STATUSES = [
  "succeeded",
  "failed",
  "timed_out",
  "invalid_input",
  "forbidden",
  "rate_limited",
  "rejected",
  "cached",
] as const;
export type ToolExecutionStatus = (typeof TOOL_EXECUTION_STATUSES)[number];

export const TOOL_SOURCES = ["chat", "api", "mcp", "workflow"] as const;

/** Every tool run, from a chat turn, the tools API or MCP; extension executions are the rows with `extension` set. */
export const toolExecutions = sqliteTable(
  "tool_executions",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    tool: text("tool").notNull(),
    extension: text("extension"),
    source: text("source", { enum: TOOL_SOURCES }).notNull(),
    sessionId: text("session_id"),
    agentId: text("agent_id"),
    callId: text("call_id"),
    input: text("input", { mode: "json" }).$type<unknown>(),
    output: text("output", { mode: "json" }).$type<unknown>(),
    status: text("status", { enum: TOOL_EXECUTION_STATUSES }).notNull(),
    error: text("error"),
    executionTimeMs: integer("execution_time_ms").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index("tool_exec_user_idx").on(t.userId, t.createdAt, t.id),
    index("tool_exec_user_tool_idx").on(t.userId, t.tool, t.createdAt),
    index("tool_exec_ext_idx").on(t.userId, t.extension, t.createdAt),
  ],
);

/** Results of cacheable tools, keyed by a hash of (user, tool, input); rows past `expires_at` are misses. */
export const toolCache = sqliteTable(
  "tool_cache",
  {
    key: text("key").primaryKey(),
    userId: owner(),
    tool: text("tool").notNull(),
    output: text("output", { mode: "json" }).$type<unknown>(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("tool_cache_expires_idx").on(t.expiresAt)],
);

export const EXTENSION_KINDS = ["builtin", "mcp"] as const;
export type ExtensionKind = (typeof EXTENSION_KINDS)[number];

/** A user's installed extension: a built-in one by name, or a remote MCP server at `mcp_url`. */
export const userExtensions = sqliteTable(
  "user_extensions",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    kind: text("kind", { enum: EXTENSION_KINDS }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    /** The configuration's secret fields, JSON then AES-GCM encrypted. */
    secretsEncrypted: text("secrets_encrypted"),
    mcpUrl: text("mcp_url"),
    /** The remote server's tool list as last fetched (name, description, input schema). */
    mcpTools: text("mcp_tools", { mode: "json" }).$type<unknown[]>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("user_extensions_user_name_idx").on(t.userId, t.name)],
);

/** Daily usage per user; `day` is the UTC date `YYYY-MM-DD`. */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    userId: owner(),
    day: text("day").notNull(),
    apiCalls: integer("api_calls").notNull().default(0),
    agentInteractions: integer("agent_interactions").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    toolCalls: integer("tool_calls").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/** Daily usage per agent: average response time is `response_ms_total / responses`. */
export const agentUsageDaily = sqliteTable(
  "agent_usage_daily",
  {
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    userId: owner(),
    day: text("day").notNull(),
    messages: integer("messages").notNull().default(0),
    sessions: integer("sessions").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
    responseMsTotal: integer("response_ms_total").notNull().default(0),
    responses: integer("responses").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.day] }), index("agent_usage_user_idx").on(t.userId, t.day)],
);

export const BUDGET_SCOPES = ["user", "agent", "session"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export const BUDGET_PERIODS = ["day", "month", "total"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * Enforced limits: before each model step the pipeline sums usage for every budget
 * that applies (the user's, the agent's, the session's) and stops the turn if the
 * step could cross one. `scope_id` is '' for user budgets.
 */
export const budgets = sqliteTable(
  "budgets",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    scope: text("scope", { enum: BUDGET_SCOPES }).notNull(),
    scopeId: text("scope_id").notNull().default(""),
    period: text("period", { enum: BUDGET_PERIODS }).notNull(),
    maxTokens: integer("max_tokens"),
    maxCostMicros: integer("max_cost_micros"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("budgets_unique_idx").on(t.userId, t.scope, t.scopeId, t.period)],
);
