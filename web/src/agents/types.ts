/**
 * The agent resources as the console reads them, inferred from the Worker's zod schemas
 * (worker/features/agents/schemas.ts, template-dto.ts) with type-only imports.
 */
import type { z } from "zod";
import type { AgentSchema, FromTemplateBody } from "../../../worker/features/agents/schemas";
import type { AgentTemplateSchema } from "../../../worker/features/agents/template-dto";
import type { ModelCatalogSchema } from "../../../worker/features/models/schemas";
import type { ToolSchema } from "../../../worker/features/tools/schemas";

export type Agent = z.infer<typeof AgentSchema>;
export type AgentType = Agent["type"];
export type AgentConfig = Agent["config"];

/** Every agent type, in the editor's order; a type added to or dropped from the Worker's list fails the build here. */
const AGENT_TYPE_SET: Record<AgentType, true> = {
  assistant: true,
  research: true,
  document: true,
  web: true,
  project: true,
  custom: true,
};
export const AGENT_TYPES = Object.keys(AGENT_TYPE_SET) as AgentType[];

/** What the editor sends: POST /agents takes all of it, PATCH /agents/{id} any part. */
export type AgentInput = Pick<
  Agent,
  "name" | "type" | "model" | "fallback_models" | "system_prompt" | "tools" | "config" | "active"
>;

export type AgentTemplate = z.infer<typeof AgentTemplateSchema>;

/** The part of POST /agents/from-template the gallery sends. */
export type FromTemplateInput = Pick<z.input<typeof FromTemplateBody>, "template_id" | "name" | "model">;

export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;

/** GET /tools: one tool as the API lists it. */
export type ToolInfo = z.infer<typeof ToolSchema>;
