/**
 * Request and response shapes of /api/v1/agents. Model specs and tool names are
 * checked for form only: whether a provider or tool is usable is decided when a
 * turn runs (the model resolver and the tool runtime), since both can change later.
 */
import { z } from "@hono/zod-openapi";
import { AGENT_TYPES, type AgentConfig, type agents } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso } from "../../lib/time";

/**
 * `provider:model`: a provider slug, a colon, then the model id as the provider
 * names it (it may hold `/`, `@`, `.` and further colons, e.g. `my-ollama:llama3.2:3b`).
 */
export const MODEL_SPEC_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}:[\x21-\x7e]{1,200}$/;
/** Tool names as the runtime and MCP servers use them (`web_search`, `github.create_issue`). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const MAX_FALLBACK_MODELS = 5;
export const MAX_TOOLS = 64;
export const MAX_SYSTEM_PROMPT = 20_000;

export const ModelSpec = z
  .string()
  .max(265)
  .regex(MODEL_SPEC_PATTERN, "Use provider:model, e.g. workers-ai:@cf/meta/llama-3.1-8b-instruct")
  .openapi({ example: "offline:assistant" });

const unique = <T>(items: T[]) => new Set(items).size === items.length;

const AgentName = z.string().trim().min(1).max(100);
const FallbackModels = z
  .array(ModelSpec)
  .max(MAX_FALLBACK_MODELS)
  .refine(unique, "fallback_models must not repeat a model")
  .openapi({ description: "Tried in order when the primary model fails" });
const SystemPrompt = z.string().max(MAX_SYSTEM_PROMPT);
const ToolNames = z
  .array(z.string().regex(TOOL_NAME_PATTERN, "Tool names are letters, digits, _ . and -"))
  .max(MAX_TOOLS)
  .refine(unique, "tools must not repeat a name")
  .openapi({ description: "Tools the agent may call; each must be enabled for you when a turn runs" });

export const AgentConfigSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    max_steps: z.number().int().min(1).max(50).optional().openapi({ description: "Model calls per turn" }),
    max_output_tokens: z.number().int().min(1).max(200_000).optional(),
    history_window: z.number().int().min(2).max(500).optional().openapi({ description: "Messages kept verbatim" }),
    context_budget_tokens: z.number().int().min(500).max(2_000_000).optional(),
    tool_timeout_ms: z.number().int().min(100).max(300_000).optional(),
    memory_retrieval: z.boolean().optional(),
  })
  .strict()
  .openapi("AgentConfig", { description: "Pipeline settings; unset ones take the system's agent_defaults" });

/** Fields an agent can be created with; `name` is the only required one. */
const agentFields = {
  name: AgentName,
  type: z.enum(AGENT_TYPES).optional().openapi({ description: "Defaults to assistant" }),
  model: ModelSpec.optional().openapi({ description: "Defaults to the system's agent_defaults.model" }),
  fallback_models: FallbackModels.optional(),
  system_prompt: SystemPrompt.optional(),
  tools: ToolNames.optional(),
  config: AgentConfigSchema.optional(),
  active: z.boolean().optional(),
};

export const CreateAgentBody = z.object(agentFields).strict().openapi("CreateAgentRequest");
export type CreateAgentInput = z.infer<typeof CreateAgentBody>;

export const UpdateAgentBody = z
  .object({ ...agentFields, name: AgentName.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, "Give at least one field to change")
  .openapi("UpdateAgentRequest", { description: "Fields left out keep their value; `config` is replaced whole" });
export type UpdateAgentInput = z.infer<typeof UpdateAgentBody>;

export const AgentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(AGENT_TYPES),
    model: z.string(),
    fallback_models: z.array(z.string()),
    system_prompt: z.string(),
    tools: z.array(z.string()),
    config: AgentConfigSchema,
    template_id: z.string().nullable().openapi({ description: "The template it was made from, if any" }),
    active: z.boolean(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Agent");

export type AgentDto = z.infer<typeof AgentSchema>;

export function toAgent(row: typeof agents.$inferSelect): AgentDto {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    model: row.model,
    fallback_models: row.fallbackModels,
    system_prompt: row.systemPrompt,
    tools: row.tools,
    config: row.config as AgentConfig,
    template_id: row.templateId,
    active: row.isActive,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const AgentPageSchema = pageSchema(AgentSchema, "AgentPage");

export const AgentListQuery = z.object({
  type: z.enum(AGENT_TYPES).optional(),
  active: z.enum(["true", "false"]).optional().openapi({ description: "Only active (or inactive) agents" }),
});

export const AgentIdParam = z.object({ id: z.string().min(1).max(64) });

export const FromTemplateBody = z
  .object({
    template_id: z.string().min(1).max(64),
    name: AgentName.optional().openapi({ description: "Defaults to the template's name (numbered if taken)" }),
    model: ModelSpec.optional(),
    overrides: z
      .object({
        type: agentFields.type,
        fallback_models: agentFields.fallback_models,
        system_prompt: agentFields.system_prompt,
        tools: agentFields.tools,
        config: agentFields.config.openapi({ description: "Merged over the template's configuration" }),
        active: agentFields.active,
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("CreateAgentFromTemplateRequest");
export type FromTemplateInput = z.infer<typeof FromTemplateBody>;
