/** How agent templates look in the API (GET /agent-templates, GET /agent-templates/{id}). */
import { z } from "@hono/zod-openapi";
import { AGENT_TYPES } from "../../db/schema";
import { AppError } from "../../errors";
import { AgentConfigSchema } from "./schemas";
import { AGENT_TEMPLATES, findTemplate } from "./templates";

export const AgentTemplateSchema = z
  .object({
    id: z.string().openapi({ example: "research-assistant" }),
    name: z.string(),
    type: z.enum(AGENT_TYPES),
    category: z.string(),
    description: z.string(),
    system_prompt: z.string(),
    tools: z.array(z.string()),
    config: AgentConfigSchema,
  })
  .openapi("AgentTemplate");

export const AgentTemplateListSchema = z.object({ items: z.array(AgentTemplateSchema) }).openapi("AgentTemplateList");

export const TemplateIdParam = z.object({ id: z.string().min(1).max(64) });

export function templateList() {
  return { items: AGENT_TEMPLATES.map((template) => ({ ...template })) };
}

export function getTemplate(id: string) {
  const template = findTemplate(id);
  if (!template) throw new AppError(404, "not_found", "Agent template not found");
  return template;
}
