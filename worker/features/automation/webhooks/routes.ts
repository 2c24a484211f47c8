/** /api/v1/webhooks: subscriptions per event type, their delivery log, a test ping, and replay of stored events. */

import { getDb } from "../../../db/client";
import { PageQuerySchema } from "../../../lib/pagination";
import { requestMeta } from "../../../lib/request-meta";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../../openapi";
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  DeliveryListQuery,
  DeliveryPageSchema,
  DeliverySchema,
  ReplayBody,
  ReplayResultSchema,
  toWebhook,
  UpdateWebhookBody,
  WebhookIdParam,
  WebhookPageSchema,
  WebhookSchema,
} from "./schemas";
import {
  createWebhook,
  deleteWebhook,
  getOwnWebhook,
  listDeliveries,
  listWebhooks,
  pingWebhook,
  replayEvents,
  updateWebhook,
} from "./service";

export const webhookRoutes = createRouter();
const tags = ["Webhooks"];

webhookRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/webhooks",
    tags,
    summary: "Subscribe a URL (or your email) to event types; the signing secret is in this response only",
    scopes: ["events:write"],
    request: jsonBody(CreateWebhookBody),
    responses: { 201: jsonResponse("Created", CreatedWebhookSchema), ...errorResponses(413, 415, 422) },
  }),
  async (c) => c.json(await createWebhook(c.env, c.var.principal, c.req.valid("json"), requestMeta(c)), 201),
);

webhookRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/webhooks",
    tags,
    summary: "List your webhooks, newest first",
    scopes: ["events:read"],
    request: { query: PageQuerySchema },
    responses: { 200: jsonResponse("A page of webhooks", WebhookPageSchema) },
  }),
  async (c) => c.json(await listWebhooks(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

webhookRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/webhooks/{id}",
    tags,
    summary: "Read a webhook (never its secret)",
    scopes: ["events:read"],
    request: { params: WebhookIdParam },
    responses: { 200: jsonResponse("The webhook", WebhookSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(toWebhook(await getOwnWebhook(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

webhookRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/webhooks/{id}",
    tags,
    summary: "Change a webhook; enabling a disabled one clears its failure count",
    scopes: ["events:write"],
    request: { params: WebhookIdParam, ...jsonBody(UpdateWebhookBody) },
    responses: { 200: jsonResponse("Updated", WebhookSchema), ...errorResponses(404, 413, 415) },
  }),
  async (c) =>
    c.json(
      await updateWebhook(c.env, c.var.principal, c.req.valid("param").id, c.req.valid("json"), requestMeta(c)),
      200,
    ),
);

webhookRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/webhooks/{id}",
    tags,
    summary: "Delete a webhook and its delivery log",
    scopes: ["events:write"],
    request: { params: WebhookIdParam },
    responses: { 200: jsonResponse("Deleted", WebhookSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(await deleteWebhook(c.env, c.var.principal, c.req.valid("param").id, requestMeta(c)), 200),
);

webhookRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/webhooks/{id}/deliveries",
    tags,
    summary: "The delivery log: every delivery with its attempts, newest first",
    scopes: ["events:read"],
    request: { params: WebhookIdParam, query: PageQuerySchema.extend(DeliveryListQuery.shape) },
    responses: { 200: jsonResponse("A page of deliveries", DeliveryPageSchema), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(
      await listDeliveries(getDb(c.env), c.var.principal.userId, c.req.valid("param").id, c.req.valid("query")),
      200,
    ),
);

webhookRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/webhooks/{id}/test",
    tags,
    summary: "Send a test event to this webhook now",
    scopes: ["events:write"],
    request: { params: WebhookIdParam },
    responses: { 202: jsonResponse("Queued", DeliverySchema), ...errorResponses(404, 409) },
  }),
  async (c) => c.json(await pingWebhook(c.env, c.var.principal.userId, c.req.valid("param").id), 202),
);

webhookRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/webhooks/{id}/replay",
    tags,
    summary: "Re-deliver the stored events of a time range (archived ones included) to this webhook",
    scopes: ["events:write"],
    request: { params: WebhookIdParam, ...jsonBody(ReplayBody) },
    responses: { 202: jsonResponse("Queued", ReplayResultSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) =>
    c.json(await replayEvents(c.env, c.var.principal.userId, c.req.valid("param").id, c.req.valid("json")), 202),
);
