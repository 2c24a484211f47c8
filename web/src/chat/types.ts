/**
 * Chat sessions as the console reads them: the REST shapes inferred from
 * worker/features/chat-sessions/schemas.ts, the stream events and socket frames from
 * shared/chat-session/protocol.ts. Type-only imports: nothing of the Worker is bundled.
 */
import type { z } from "zod";
import type {
  AcceptedTurnSchema,
  ApprovalSchema,
  MessageSchema,
  SessionDetailSchema,
  SessionSchema,
  TurnSchema,
  WsTicketSchema,
} from "../../../worker/features/chat-sessions/schemas";

export type {
  ClientFrame,
  CommandRequest,
  ServerFrame,
  StreamEvent,
} from "../../../shared/chat-session/protocol";

export type ChatSession = z.infer<typeof SessionSchema>;
export type Turn = z.infer<typeof TurnSchema>;
export type SessionDetail = z.infer<typeof SessionDetailSchema>;
export type ChatMessage = z.infer<typeof MessageSchema>;
export type AcceptedTurn = z.infer<typeof AcceptedTurnSchema>;
export type Approval = z.infer<typeof ApprovalSchema>;
export type SessionTicket = z.infer<typeof WsTicketSchema>;
