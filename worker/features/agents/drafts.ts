/**
 * Complete agent definitions from what a caller sent: their fields with the
 * system defaults filled in (POST /agents), or a template with their overrides
 * on top (POST /agents/from-template).
 */
import type { Db } from "../../db/client";
import { AppError } from "../../errors";
import { getConfig } from "../config/service";
import type { CreateAgentInput, FromTemplateInput } from "./schemas";
import { type NewAgent, namesLike } from "./service";
import { findTemplate } from "./templates";

export async function draftAgent(env: Env, input: CreateAgentInput): Promise<NewAgent> {
  return {
    name: input.name,
    type: input.type ?? "assistant",
    model: input.model ?? (await getConfig(env, "agent_defaults")).model,
    fallback_models: input.fallback_models ?? [],
    system_prompt: input.system_prompt ?? "",
    tools: input.tools ?? [],
    config: input.config ?? {},
    active: input.active ?? true,
    templateId: null,
  };
}

/** The template's name, or "Name (2)", "Name (3)"… when the user already has agents called that. */
async function freeName(db: Db, userId: string, base: string): Promise<string> {
  const taken = await namesLike(db, userId, base);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base} (${n})`;
  return name;
}

export async function draftFromTemplate(env: Env, db: Db, userId: string, input: FromTemplateInput): Promise<NewAgent> {
  const template = findTemplate(input.template_id);
  if (!template) throw new AppError(404, "unknown_template", `No agent template "${input.template_id}"`);
  const overrides = input.overrides ?? {};
  const draft = await draftAgent(env, {
    name: input.name ?? (await freeName(db, userId, template.name)),
    model: input.model,
    type: overrides.type ?? template.type,
    fallback_models: overrides.fallback_models,
    system_prompt: overrides.system_prompt ?? template.system_prompt,
    tools: overrides.tools ?? template.tools,
    config: { ...template.config, ...overrides.config },
    active: overrides.active,
  });
  return { ...draft, templateId: template.id };
}
