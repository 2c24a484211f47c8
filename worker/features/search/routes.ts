/** /api/v1/messages/search: full-text search over your chat messages. */
import { createRouter, jsonResponse, securedRoute } from "../../openapi";
import { MessageSearchQuery, MessageSearchResultSchema } from "./schemas";
import { searchMessages } from "./service";

export const searchRoutes = createRouter();

searchRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/messages/search",
    tags: ["Sessions"],
    summary: "Search your chat messages",
    description:
      "Finds messages holding every word of `q` across your sessions, best match first, with a highlighted snippet.",
    scopes: ["agents:read"],
    request: { query: MessageSearchQuery },
    responses: { 200: jsonResponse("Matching messages", MessageSearchResultSchema) },
  }),
  async (c) => {
    const { q, session_id, agent_id, limit } = c.req.valid("query");
    const result = await searchMessages(c.env, c.var.principal.userId, {
      q,
      sessionId: session_id,
      agentId: agent_id,
      limit,
    });
    return c.json(result, 200);
  },
);
