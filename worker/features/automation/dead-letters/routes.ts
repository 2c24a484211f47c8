/** /api/v1/dead-letters: what gave up after its retries; inspect, replay or discard. */

import { getDb } from "../../../db/client";
import { PageQuerySchema } from "../../../lib/pagination";
import { requestMeta } from "../../../lib/request-meta";
import { createRouter, errorResponses, jsonResponse, securedRoute } from "../../../openapi";
import {
  DeadLetterIdParam,
  DeadLetterListQuery,
  DeadLetterPageSchema,
  DeadLetterSchema,
  ReplayResultSchema,
  toDeadLetter,
} from "./schemas";
import { discardDeadLetter, getOwnDeadLetter, listDeadLetters, replayDeadLetter } from "./service";

export const deadLetterRoutes = createRouter();

deadLetterRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/dead-letters",
    tags: ["Dead letters"],
    summary: "List your dead letters, newest first",
    scopes: ["tasks:read"],
    request: { query: PageQuerySchema.extend(DeadLetterListQuery.shape) },
    responses: { 200: jsonResponse("A page of dead letters", DeadLetterPageSchema) },
  }),
  async (c) => c.json(await listDeadLetters(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

deadLetterRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/dead-letters/{id}",
    tags: ["Dead letters"],
    summary: "Read one dead letter",
    scopes: ["tasks:read"],
    request: { params: DeadLetterIdParam },
    responses: { 200: jsonResponse("The dead letter", DeadLetterSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(toDeadLetter(await getOwnDeadLetter(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

deadLetterRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/dead-letters/{id}/replay",
    tags: ["Dead letters"],
    summary: "Replay: re-queue the task, re-send the delivery, or resume the run from its failed step",
    scopes: ["tasks:write"],
    request: { params: DeadLetterIdParam },
    responses: { 200: jsonResponse("Re-queued", ReplayResultSchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await replayDeadLetter(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

deadLetterRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/dead-letters/{id}",
    tags: ["Dead letters"],
    summary: "Discard a dead letter",
    scopes: ["tasks:write"],
    request: { params: DeadLetterIdParam },
    responses: { 200: jsonResponse("Discarded", DeadLetterSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(await discardDeadLetter(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);
