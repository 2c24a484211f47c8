/**
 * Request and response shapes of /api/v1/sessions. The message input schema is
 * shared with the session WebSocket (`send` frames, durable-objects/chat-session/protocol.ts;
 * the other frames are in shared/chat-session/protocol.ts).
 */
import { z } from "@hono/zod-openapi";
import { SESSION_STATUSES, TOOL_EXECUTION_STATUSES } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";

/** The largest message a client may send (the JSON body limit is 1 MiB). */
export const MAX_CONTENT_CHARS = 1_000_000;
const MAX_METADATA_BYTES = 16 * 1024;

const Id = z.string().min(1).max(64);

export const SessionIdParam = z.object({ id: Id });
export const TurnParams = z.object({ id: Id, turn_id: Id });
export const ApprovalParams = z.object({ id: Id, call_id: z.string().min(1).max(128) });

export const AttachmentSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    content_type: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, "A media type looks like text/plain")
      .max(128),
    file_id: Id.optional().openapi({ description: "An uploaded file of yours" }),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: "Where the attachment can be fetched (http or https)" }),
  })
  .strict()
  .refine((value) => value.file_id !== undefined || value.url !== undefined, {
    message: "An attachment needs a file_id or a url",
  })
  .openapi("Attachment");
export type Attachment = z.infer<typeof AttachmentSchema>;

export const MetadataSchema = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= MAX_METADATA_BYTES, {
    message: `metadata must stay under ${MAX_METADATA_BYTES} bytes as JSON`,
  })
  .openapi({ description: "Your own key-value data, kept with the message" });

export const SendMessageBody = z
  .object({
    content: z.string().min(1).max(MAX_CONTENT_CHARS).openapi({ description: "The user's message" }),
    attachments: z.array(AttachmentSchema).max(20).optional(),
    metadata: MetadataSchema.optional(),
  })
  .strict()
  .openapi("SendMessageRequest");
export type SendMessageInput = z.infer<typeof SendMessageBody>;

export const CreateSessionBody = z
  .object({
    agent_id: Id.openapi({ description: "One of your active agents" }),
    title: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi("CreateSessionRequest");

export const UpdateSessionBody = z
  .object({ title: z.string().trim().min(1).max(200) })
  .strict()
  .openapi("UpdateSessionRequest");

export const SessionListQuery = z.object({
  agent_id: Id.optional().openapi({ description: "Only this agent's sessions" }),
  status: z.enum(SESSION_STATUSES).optional(),
});

const Iso = z.string().openapi({ format: "date-time" });

export const TURN_STATUSES = ["running", "awaiting_approval", "completed", "failed", "cancelled"] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];

export const PendingApprovalSchema = z
  .object({
    call_id: z.string(),
    tool: z.string(),
    input: z.unknown().openapi({ description: "What the model asked the tool to do (shortened when large)" }),
    requested_at: Iso,
  })
  .openapi("PendingApproval");

export const TurnSchema = z
  .object({
    id: z.string(),
    status: z.enum(TURN_STATUSES),
    started_at: Iso,
    ended_at: Iso.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    pending_approvals: z.array(PendingApprovalSchema),
  })
  .openapi("Turn");
export type TurnDto = z.infer<typeof TurnSchema>;

export const SessionSchema = z
  .object({
    id: z.string(),
    agent_id: z.string(),
    title: z.string(),
    status: z.enum(SESSION_STATUSES),
    message_count: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_micros: z.number().int().openapi({ description: "Spent so far, in millionths of a US dollar" }),
    last_message_at: Iso.nullable(),
    ended_at: Iso.nullable(),
    created_at: Iso,
    updated_at: Iso,
  })
  .openapi("Session");
export type SessionDto = z.infer<typeof SessionSchema>;
export const SessionPageSchema = pageSchema(SessionSchema, "SessionPage");

export const SessionDetailSchema = SessionSchema.extend({
  active_turn: TurnSchema.nullable().openapi({ description: "The turn running or waiting for approval, if any" }),
  last_seq: z.number().int().openapi({ description: "The newest stream event; stream with ?after= this" }),
}).openapi("SessionDetail");

export const ToolCallSchema = z.object({ call_id: z.string(), name: z.string(), input: z.unknown() });
export const ToolResultSchema = z.object({
  call_id: z.string(),
  name: z.string(),
  status: z.enum(TOOL_EXECUTION_STATUSES),
  output: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  execution_time_ms: z.number().int(),
});

export const MessageSchema = z
  .object({
    id: z.string(),
    seq: z.number().int().openapi({ description: "Position in the conversation" }),
    turn_id: z.string().nullable(),
    role: z.enum(["user", "assistant", "tool", "system"]),
    content: z.string(),
    tool_calls: z.array(ToolCallSchema),
    tool_results: z.array(ToolResultSchema),
    attachments: z.array(AttachmentSchema),
    metadata: z.record(z.string(), z.unknown()),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_micros: z.number().int(),
    created_at: Iso,
  })
  .openapi("Message");
export type MessageDto = z.infer<typeof MessageSchema>;

export const MessageListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: "Messages per page (1–100)" }),
  cursor: z.string().max(256).optional().openapi({ description: "`next_cursor` from the previous page" }),
  order: z.enum(["asc", "desc"]).default("asc").openapi({ description: "Oldest first (default) or newest first" }),
});

export const MessagePageSchema = z
  .object({ items: z.array(MessageSchema), next_cursor: z.string().nullable() })
  .openapi("MessagePage");

export const AcceptedTurnSchema = z
  .object({
    turn_id: z.string(),
    message: MessageSchema,
    stream_after: z.number().int().openapi({ description: "Open the stream with ?after= this to see the whole turn" }),
  })
  .openapi("AcceptedTurn");
export type AcceptedTurnDto = z.infer<typeof AcceptedTurnSchema>;

export const ApprovalBody = z
  .object({
    decision: z.enum(["approve", "reject"]),
    reason: z.string().trim().max(1000).optional(),
  })
  .strict()
  .openapi("ApprovalDecision");

export const ApprovalSchema = z
  .object({
    call_id: z.string(),
    turn_id: z.string(),
    tool: z.string(),
    status: z.enum(["pending", "approved", "rejected", "cancelled"]),
    reason: z.string().nullable(),
    decided_at: Iso.nullable(),
  })
  .openapi("Approval");
export type ApprovalDto = z.infer<typeof ApprovalSchema>;

/** A stream seq in a query. Documented explicitly: the generator marks a coerced number allowing 0 as nullable. */
const seq = () => z.coerce.number().int().min(0);
const SEQ_DOC = { type: "integer", minimum: 0 } as const;

export const StreamQuery = z.object({
  after: seq()
    .default(0)
    .openapi({
      ...SEQ_DOC,
      default: 0,
      description: "Replay events after this seq first; the Last-Event-ID header wins when sent",
    }),
});

export const WsTicketSchema = z
  .object({ ticket: z.string(), url: z.string(), expires_at: Iso })
  .openapi("SessionSocketTicket");

export const WsConnectQuery = z.object({
  ticket: z.string().max(2048).optional().openapi({ description: "From POST /sessions/{id}/ws/ticket" }),
  after: seq()
    .optional()
    .openapi({
      ...SEQ_DOC,
      description: "Replay events after this seq, then stream live (same as a resume frame)",
    }),
});
