/** /api/v1/agents (create, list, read, change, delete your agents) and /api/v1/agent-templates. */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../context";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { publishLater } from "../events/publish";
import { draftAgent, draftFromTemplate } from "./drafts";
import {
  AgentIdParam,
  AgentListQuery,
  AgentPageSchema,
  AgentSchema,
  CreateAgentBody,
  FromTemplateBody,
  toAgent,
  UpdateAgentBody,
} from "./schemas";
import { createAgent, deleteAgent, getOwnAgent, listAgents, type NewAgent, updateAgent } from "./service";
import {
  AgentTemplateListSchema,
  AgentTemplateSchema,
  getTemplate,
  TemplateIdParam,
  templateList,
} from "./template-dto";

export const agentRoutes = createRouter();

const TAGS = ["Agents"];

/**
 * `/agents/from-template` also matches `/agents/{id}`; without this, GET on it
 * would answer "agent not found" instead of saying that only POST is routed there.
 */
const notFromTemplate: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.param("id") !== "from-template") return next();
  throw new AppError(405, "method_not_allowed", "Use POST on this path", { allowed: ["POST"] }, { Allow: "POST" });
};

async function createAndAnnounce(c: Context<AppEnv>, draft: NewAgent) {
  const agent = await createAgent(getDb(c.env), c.var.principal, draft, requestMeta(c));
  const { userId } = c.var.principal;
  publishLater(c.executionCtx, c.env, userId, "agent.created", { id: agent.id, name: agent.name, type: agent.type });
  return agent;
}

agentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/agents",
    tags: TAGS,
    summary: "Create an agent",
    description: "Honours `Idempotency-Key`. Unset fields take the system's agent defaults.",
    scopes: ["agents:write"],
    middleware: [idempotent],
    request: jsonBody(CreateAgentBody),
    responses: { 201: jsonResponse("Created", AgentSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => c.json(await createAndAnnounce(c, await draftAgent(c.env, c.req.valid("json"))), 201),
);

agentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/agents/from-template",
    tags: TAGS,
    summary: "Create an agent from a template",
    description:
      "Honours `Idempotency-Key`. `overrides.config` is merged over the template's; other overrides replace.",
    scopes: ["agents:write"],
    middleware: [idempotent],
    request: jsonBody(FromTemplateBody),
    responses: { 201: jsonResponse("Created", AgentSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const draft = await draftFromTemplate(c.env, getDb(c.env), c.var.principal.userId, c.req.valid("json"));
    return c.json(await createAndAnnounce(c, draft), 201);
  },
);

agentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/agents",
    tags: TAGS,
    summary: "List your agents, newest first",
    scopes: ["agents:read"],
    request: { query: PageQuerySchema.extend(AgentListQuery.shape) },
    responses: { 200: jsonResponse("A page of agents", AgentPageSchema) },
  }),
  async (c) => c.json(await listAgents(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

agentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/agents/{id}",
    tags: TAGS,
    summary: "Read one of your agents",
    scopes: ["agents:read"],
    middleware: [notFromTemplate],
    request: { params: AgentIdParam },
    responses: { 200: jsonResponse("The agent", AgentSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(toAgent(await getOwnAgent(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

agentRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/agents/{id}",
    tags: TAGS,
    summary: "Change one of your agents",
    description: "Fields left out keep their value; `config` is replaced whole.",
    scopes: ["agents:write"],
    middleware: [notFromTemplate],
    request: { params: AgentIdParam, ...jsonBody(UpdateAgentBody) },
    responses: { 200: jsonResponse("Updated", AgentSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const agent = await updateAgent(getDb(c.env), c.var.principal, c.req.valid("param").id, body, requestMeta(c));
    publishLater(c.executionCtx, c.env, c.var.principal.userId, "agent.updated", {
      id: agent.id,
      name: agent.name,
      fields: Object.keys(body),
    });
    return c.json(agent, 200);
  },
);

agentRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/agents/{id}",
    tags: TAGS,
    summary: "Delete one of your agents",
    description: "Also deletes its sessions' index rows, their search entries, its usage rows and its budgets.",
    scopes: ["agents:write"],
    middleware: [notFromTemplate],
    request: { params: AgentIdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
  }),
  async (c) => {
    const agent = await deleteAgent(getDb(c.env), c.var.principal, c.req.valid("param").id, requestMeta(c));
    publishLater(c.executionCtx, c.env, c.var.principal.userId, "agent.deleted", { id: agent.id, name: agent.name });
    return c.body(null, 204);
  },
);

agentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/agent-templates",
    tags: TAGS,
    summary: "List the agent templates",
    scopes: ["agents:read"],
    responses: { 200: jsonResponse("Every template", AgentTemplateListSchema) },
  }),
  (c) => c.json(templateList(), 200),
);

agentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/agent-templates/{id}",
    tags: TAGS,
    summary: "Read one agent template",
    scopes: ["agents:read"],
    request: { params: TemplateIdParam },
    responses: { 200: jsonResponse("The template", AgentTemplateSchema), ...errorResponses(404) },
  }),
  (c) => c.json(getTemplate(c.req.valid("param").id), 200),
);
