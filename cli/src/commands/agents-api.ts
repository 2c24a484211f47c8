/**
 * The agent API as `edgewise agents` and `edgewise chat` read it: zod schemas for
 * the responses (loose, like ../api-types.ts; shapes from worker/features/agents/schemas.ts
 * and template-dto.ts), listing every agent, and finding one by id or by name.
 */
import { z } from "zod";
import type { ApiClient } from "../api-client";
import { CliError } from "../errors";

export const Agent = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  model: z.string(),
  fallback_models: z.array(z.string()),
  system_prompt: z.string(),
  tools: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  template_id: z.string().nullable(),
  active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Agent = z.infer<typeof Agent>;

export const AgentPage = z.looseObject({ items: z.array(Agent), next_cursor: z.string().nullable() });

export const AgentTemplate = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  category: z.string(),
  description: z.string(),
  tools: z.array(z.string()),
});
export type AgentTemplate = z.infer<typeof AgentTemplate>;

export const TemplateList = z.looseObject({ items: z.array(AgentTemplate) });

export const agentPath = (id: string) => `/agents/${encodeURIComponent(id)}`;

/** Every agent, newest first, following `next_cursor`. */
export async function listAgents(client: ApiClient): Promise<Agent[]> {
  const agents: Agent[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get("/agents", AgentPage, { limit: 100, cursor });
    agents.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return agents;
}

/** The agent with this id, or else the one with this exact name (case-insensitive if unique). */
export async function findAgent(client: ApiClient, reference: string): Promise<Agent> {
  const agents = await listAgents(client);
  const byId = agents.find((agent) => agent.id === reference);
  if (byId) return byId;
  const exact = agents.filter((agent) => agent.name === reference);
  const named = exact.length ? exact : agents.filter((agent) => agent.name.toLowerCase() === reference.toLowerCase());
  if (named.length === 1 && named[0]) return named[0];
  if (named.length > 1) {
    throw new CliError("ambiguous_agent", `${named.length} agents are named "${reference}"; use its id`, 1, [
      ...named.map((agent) => `${agent.id}  ${agent.name}`),
    ]);
  }
  throw new CliError("agent_not_found", `no agent with the id or name "${reference}"`, 1, [
    "`edgewise agents ls` lists yours; `edgewise agents create --template …` makes one",
  ]);
}
