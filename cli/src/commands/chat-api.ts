/**
 * The chat session API as `edgewise chat` reads it: loose zod schemas for sessions and
 * accepted turns, tied to worker/features/chat-sessions/schemas.ts at compile time (`reads`),
 * and the session WebSocket's frames from shared/chat-session/protocol.ts.
 * Event payloads are checked per type where the CLI reads them (chat-render.ts).
 */
import { z } from "zod";
import { ServerFrame } from "../../../shared/chat-session/protocol";
import { parseJsonFrame } from "../../../shared/parse-frame";
import type {
  AcceptedTurnSchema,
  SessionDetailSchema,
  SessionSchema,
  WsTicketSchema,
} from "../../../worker/features/chat-sessions/schemas";
import { reads } from "../reads";

export type { ServerFrame, StreamEvent } from "../../../shared/chat-session/protocol";

export const Session = reads<z.infer<typeof SessionSchema>>()(
  z.looseObject({
    id: z.string(),
    agent_id: z.string(),
    title: z.string(),
    status: z.string(),
    message_count: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cost_micros: z.number(),
  }),
);
export type Session = z.infer<typeof Session>;

const PendingApproval = z.looseObject({ call_id: z.string(), tool: z.string(), input: z.unknown() });

export const SessionDetail = reads<z.infer<typeof SessionDetailSchema>>()(
  Session.extend({
    active_turn: z
      .looseObject({ id: z.string(), status: z.string(), pending_approvals: z.array(PendingApproval) })
      .nullable(),
    last_seq: z.number().int(),
  }),
);
export type SessionDetail = z.infer<typeof SessionDetail>;

export const AcceptedTurn = reads<z.infer<typeof AcceptedTurnSchema>>()(
  z.looseObject({ turn_id: z.string(), stream_after: z.number().int() }),
);

export const SessionTicket = reads<z.infer<typeof WsTicketSchema>>()(
  z.looseObject({ ticket: z.string(), url: z.string(), expires_at: z.string() }),
);

/** A session frame, checked with the session's own schema; anything else is skipped. */
export const parseFrame = (data: unknown): ServerFrame | null => parseJsonFrame(ServerFrame, data);

export const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;
