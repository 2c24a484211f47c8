/** The agent calls: agents CRUD, the template gallery, and the model and tool catalogues the editor offers. */
import { api } from "../api/client";
import type { Page } from "../api/types";
import type { Agent, AgentInput, AgentTemplate, FromTemplateInput, ModelCatalog, ToolInfo } from "./types";

const path = (id: string) => `/agents/${encodeURIComponent(id)}`;

export const agentsApi = {
  list: (cursor: string | null) => api.get<Page<Agent>>("/agents", { query: { limit: 25, cursor } }),
  /** Up to 100 agents, for pickers and for naming agents in other lists. */
  recent: () => api.get<Page<Agent>>("/agents", { query: { limit: 100 } }),
  get: (id: string) => api.get<Agent>(path(id)),
  create: (input: AgentInput) => api.post<Agent>("/agents", input),
  update: (id: string, input: Partial<AgentInput>) => api.patch<Agent>(path(id), input),
  remove: (id: string) => api.delete<null>(path(id)),
  templates: () => api.get<{ items: AgentTemplate[] }>("/agent-templates"),
  fromTemplate: (input: FromTemplateInput) => api.post<Agent>("/agents/from-template", input),
  models: () => api.get<ModelCatalog>("/models"),
  tools: () => api.get<{ items: ToolInfo[] }>("/tools"),
};
