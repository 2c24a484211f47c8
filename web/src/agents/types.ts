/**
 * The agent resources as the console reads them. They mirror the zod schemas in
 * worker/features/agents/schemas.ts, template-dto.ts and worker/features/models/schemas.ts
 * (the /models catalogue); keep them in step when those change.
 */

export const AGENT_TYPES = ["assistant", "research", "document", "web", "project", "custom"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export type AgentConfig = {
  temperature?: number;
  max_steps?: number;
  max_output_tokens?: number;
  history_window?: number;
  context_budget_tokens?: number;
  tool_timeout_ms?: number;
  memory_retrieval?: boolean;
};

export type Agent = {
  id: string;
  name: string;
  type: AgentType;
  model: string;
  fallback_models: string[];
  system_prompt: string;
  tools: string[];
  config: AgentConfig;
  template_id: string | null;
  active: boolean;
  created_at: string;
  updated_at: string;
};

/** What the editor sends: POST /agents takes all of it, PATCH /agents/{id} any part. */
export type AgentInput = Pick<
  Agent,
  "name" | "type" | "model" | "fallback_models" | "system_prompt" | "tools" | "config" | "active"
>;

export type AgentTemplate = {
  id: string;
  name: string;
  type: AgentType;
  category: string;
  description: string;
  system_prompt: string;
  tools: string[];
  config: AgentConfig;
};

export type FromTemplateInput = { template_id: string; name?: string; model?: string };

export type ModelCatalog = {
  default_model: string;
  builtin: Array<{ spec: string; provider: string; model: string; description: string; available: boolean }>;
  providers: Array<{ name: string; kind: string; id: string; spec_prefix: string }>;
};

/** GET /tools: what an agent may be given (worker/features/tools/schemas.ts). */
export type ToolInfo = {
  name: string;
  description: string;
  extension: string;
  dangerous: boolean;
  timeout_ms: number;
  cache_ttl_seconds: number;
  scopes: string[];
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
};
