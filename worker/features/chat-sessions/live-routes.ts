/**
 * Following a session live: Server-Sent Events (GET /sessions/{id}/stream, resumable
 * with ?after= or Last-Event-ID) and the session WebSocket (a one-time ticket, then
 * GET /sessions/{id}/ws, forwarded to the session's Durable Object, which
 * hibernates between frames). Client frames: send, cancel, approve, reject, resume, ping.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CONNECT_HEADER, type ConnectParams } from "../../../durable-objects/chat-session/protocol";
import type { AppEnv } from "../../context";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { authenticate, readCredential } from "../../middleware/auth";
import { AUTHENTICATED, createRoute, createRouter, errorResponses, jsonResponse, securedRoute } from "../../openapi";
import { credentialIsLive } from "../auth/credentials";
import { socketUrl } from "../events/connect";
import { credentialOf } from "../events/publish";
import { SessionIdParam, StreamQuery, WsConnectQuery, WsTicketSchema } from "./schemas";
import { getOwnSession, refOf, sessionStub, unwrap } from "./service";
import { issueSocketTicket, readSocketTicket } from "./socket-tickets";

export const liveSessionRoutes = createRouter();
const tags = ["Sessions"];

/** The replay point: Last-Event-ID (what EventSource sends on reconnect) wins over ?after=. */
function replayPoint(header: string | undefined, after: number): number {
  const fromHeader = header?.trim();
  if (fromHeader && /^\d{1,15}$/.test(fromHeader)) return Number(fromHeader);
  if (fromHeader) throw new AppError(400, "invalid_last_event_id", "Last-Event-ID must be a seq from this stream");
  return after;
}

liveSessionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/sessions/{id}/stream",
    tags,
    summary: "Follow a session's events over Server-Sent Events",
    description:
      "Each event is `id: <seq>` and `data: {seq, turn_id, type, data, ts}`. Replays the events after `after` " +
      "(or the Last-Event-ID header) first, then streams live ones. A `replay_gap` event says when old events " +
      "were pruned.",
    scopes: ["agents:read"],
    request: { params: SessionIdParam, query: StreamQuery },
    responses: {
      200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } },
      ...errorResponses(404),
    },
  }),
  async (c) => {
    const after = replayPoint(c.req.header("last-event-id"), c.req.valid("query").after);
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const stream = unwrap(await sessionStub(c.env, session.id).openStream(refOf(session), after));
    return c.body(stream, 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    });
  },
);

liveSessionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/sessions/{id}/ws/ticket",
    tags,
    summary: "Get a one-time ticket to open this session's WebSocket",
    scopes: ["agents:read"],
    request: { params: SessionIdParam },
    responses: { 201: jsonResponse("Ticket", WsTicketSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const { session } = await getOwnSession(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const { ticket, expiresAt } = await issueSocketTicket(c.env, c.var.principal, session.id);
    const url = socketUrl(c, `/api/v1/sessions/${encodeURIComponent(session.id)}/ws`, ticket);
    return c.json({ ticket, url, expires_at: new Date(expiresAt).toISOString() }, 201);
  },
);

/** Who is connecting: a ticket's user (for this session only), or an Authorization/X-API-Key caller. */
async function connectingUser(c: Context<AppEnv>, sessionId: string, ticket: string | undefined) {
  if (ticket) {
    const claims = await readSocketTicket(c.env, ticket, sessionId);
    if (!claims)
      throw new AppError(401, "invalid_ticket", "The connect ticket is invalid, expired or for another session");
    if (!(await credentialIsLive(c.env, claims.sub, claims.cred))) {
      throw new AppError(401, "credential_revoked", "The session or key this ticket was issued to has ended");
    }
    return { userId: claims.sub, scopes: claims.scopes, credential: claims.cred, nonce: claims.nonce, exp: claims.exp };
  }
  if (!readCredential(c.req.raw.headers)) {
    throw new AppError(401, "missing_credentials", "Connect with ?ticket= or an Authorization header");
  }
  await authenticate(c, async () => {});
  const { principal } = c.var;
  if (!principal.scopes.has("agents:read")) {
    throw new AppError(403, "insufficient_scope", "Connecting needs the agents:read scope", {
      required: ["agents:read"],
    });
  }
  return {
    userId: principal.userId,
    scopes: [...principal.scopes],
    credential: credentialOf(principal),
    nonce: null,
    exp: null,
  };
}

liveSessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/sessions/{id}/ws",
    tags,
    summary: "Open this session's WebSocket",
    description:
      "Authenticate with a one-time `ticket` (browsers) or an Authorization header. Server frames: welcome, " +
      "event {event}, replayed, replay_gap, accepted, ack, error, pong. Client frames: send {content, attachments?, " +
      "metadata?}, cancel {turn_id}, approve {call_id}, reject {call_id, reason?}, resume {after}, ping. A socket " +
      "gets events once it sends `resume` (or connects with `?after=`). Writes need the agents:write scope.",
    security: [{}, ...AUTHENTICATED],
    request: { params: SessionIdParam, query: WsConnectQuery },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400, 401, 403, 404, 426, 429) },
  }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError(426, "upgrade_required", "This endpoint speaks WebSocket only", undefined, {
        Upgrade: "websocket",
      });
    }
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const user = await connectingUser(c, id, query.ticket);
    const { session } = await getOwnSession(getDb(c.env), user.userId, id);
    const params: ConnectParams = {
      ref: refOf(session),
      scopes: user.scopes,
      credential: user.credential,
      ticketNonce: user.nonce,
      ticketExpiresAt: user.exp,
      after: query.after ?? null,
    };
    const headers = new Headers({ upgrade: "websocket", [CONNECT_HEADER]: JSON.stringify(params) });
    return sessionStub(c.env, session.id).fetch(new Request("https://session/connect", { headers }));
  },
);
