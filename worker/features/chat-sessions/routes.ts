/**
 * /api/v1/sessions: chat sessions with an agent — create, list, read, rename, end,
 * delete; messages (send starts a turn, 202); cancelling a turn; deciding a tool
 * approval. Streaming (SSE, WebSocket) is in
 * live-routes.ts. Each handler checks ownership in D1, then calls the session's
 * Durable Object.
 */
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { PageQuerySchema } from "../../lib/pagination";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import {
  AcceptedTurnSchema,
  ApprovalBody,
  ApprovalParams,
  ApprovalSchema,
  CreateSessionBody,
  MessageListQuery,
  MessagePageSchema,
  SendMessageBody,
  SessionDetailSchema,
  SessionIdParam,
  SessionListQuery,
  SessionPageSchema,
  SessionSchema,
  TurnParams,
  TurnSchema,
  UpdateSessionBody,
} from "./schemas";
import {
  createSession,
  decodeSeqCursor,
  deleteSession,
  encodeSeqCursor,
  endSession,
  getOwnSession,
  listSessions,
  refOf,
  renameSession,
  sessionStub,
  toSession,
  unwrap,
} from "./service";

export const sessionRoutes = createRouter();
const tags = ["Sessions"];

sessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions",
    tags,
    summary: "Start a chat session with one of your active agents",
    description: "Honours `Idempotency-Key`.",
    scopes: ["agents:write"],
    middleware: [idempotent],
    request: jsonBody(CreateSessionBody),
    responses: { 201: jsonResponse("Created", SessionSchema), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => c.json(await createSession(getDb(c.env), c.var.principal.userId, c.req.valid("json")), 201),
);

sessionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/sessions",
    tags,
    summary: "List your sessions, newest first",
    scopes: ["agents:read"],
    request: { query: PageQuerySchema.extend(SessionListQuery.shape) },
    responses: { 200: jsonResponse("A page of sessions", SessionPageSchema) },
  }),
  async (c) => c.json(await listSessions(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

sessionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/sessions/{id}",
    tags,
    summary: "Read a session, with its open turn and the last stream seq",
    scopes: ["agents:read"],
    request: { params: SessionIdParam },
    responses: { 200: jsonResponse("The session", SessionDetailSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const state = unwrap(await sessionStub(c.env, session.id).state(refOf(session)));
    return c.json({ ...toSession(session), ...state }, 200);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/sessions/{id}",
    tags,
    summary: "Rename a session",
    scopes: ["agents:write"],
    request: { params: SessionIdParam, ...jsonBody(UpdateSessionBody) },
    responses: { 200: jsonResponse("Renamed", SessionSchema), ...errorResponses(404, 413, 415) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await renameSession(getDb(c.env), c.var.principal.userId, id, c.req.valid("json").title), 200);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/sessions/{id}",
    tags,
    summary: "Delete a session: its conversation, stream, search entries and index row",
    scopes: ["agents:write"],
    request: { params: SessionIdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
  }),
  async (c) => {
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    await deleteSession(c.env, session);
    return c.body(null, 204);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions/{id}/end",
    tags,
    summary: "End a session: a running turn is cancelled and no new turn starts",
    scopes: ["agents:write"],
    request: { params: SessionIdParam },
    responses: { 200: jsonResponse("Ended", SessionSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const db = getDb(c.env);
    const { session } = await getOwnSession(db, c.var.principal.userId, c.req.valid("param").id);
    return c.json(await endSession(c.env, db, session), 200);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/sessions/{id}/messages",
    tags,
    summary: "Page through a session's messages by seq",
    description: "Large messages come whole; a page holds fewer messages when they are large.",
    scopes: ["agents:read"],
    request: { params: SessionIdParam, query: MessageListQuery },
    responses: { 200: jsonResponse("A page of messages", MessagePageSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const from = query.cursor === undefined ? null : decodeSeqCursor(query.cursor);
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const page = unwrap(
      await sessionStub(c.env, session.id).messagePage(refOf(session), {
        from,
        limit: query.limit,
        order: query.order,
      }),
    );
    return c.json({ items: page.items, next_cursor: page.next === null ? null : encodeSeqCursor(page.next) }, 200);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions/{id}/messages",
    tags,
    summary: "Send a message: the agent's turn starts and streams its events",
    description:
      "Answers 202 at once. Follow the turn on GET /sessions/{id}/stream?after={stream_after} or the session WebSocket. " +
      "One turn at a time: 409 `turn_in_progress` while one is running or waiting for approval.",
    scopes: ["agents:write"],
    request: { params: SessionIdParam, ...jsonBody(SendMessageBody) },
    responses: { 202: jsonResponse("Accepted", AcceptedTurnSchema), ...errorResponses(404, 409, 413, 415) },
  }),
  async (c) => {
    const { session, agentActive } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    if (session.status === "ended") throw new AppError(409, "session_ended", "This session has ended; start a new one");
    if (!agentActive) {
      throw new AppError(409, "agent_inactive", "The session's agent is deactivated; activate it first");
    }
    const caller = { scopes: [...c.var.principal.scopes], via: "http" as const };
    const accepted = unwrap(await sessionStub(c.env, session.id).submit(refOf(session), c.req.valid("json"), caller));
    return c.json(accepted, 202);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions/{id}/turns/{turn_id}/cancel",
    tags,
    summary: "Cancel a turn that is running or waiting for approval",
    scopes: ["agents:write"],
    request: { params: TurnParams },
    responses: { 200: jsonResponse("The turn, as it ended", TurnSchema), ...errorResponses(404, 409) },
  }),
  async (c) => {
    const { id, turn_id } = c.req.valid("param");
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, id);
    return c.json(unwrap(await sessionStub(c.env, session.id).cancelTurn(refOf(session), turn_id)), 200);
  },
);

sessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions/{id}/approvals/{call_id}",
    tags,
    summary: "Approve or reject a dangerous tool call; a paused turn continues",
    scopes: ["agents:write"],
    request: { params: ApprovalParams, ...jsonBody(ApprovalBody) },
    responses: { 200: jsonResponse("The decision", ApprovalSchema), ...errorResponses(404, 409, 413, 415) },
  }),
  async (c) => {
    const { id, call_id } = c.req.valid("param");
    const { decision, reason } = c.req.valid("json");
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, id);
    const stub = sessionStub(c.env, session.id);
    return c.json(unwrap(await stub.decide(refOf(session), call_id, decision === "approve", reason ?? null)), 200);
  },
);
