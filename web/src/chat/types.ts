/**
 * Chat sessions as the console reads them. They mirror
 * worker/features/sessions/schemas.ts (REST) and durable-objects/chat-session/protocol.ts
 * (stream events and WebSocket frames); keep them in step when those change.
 */

export type SessionStatus = "active" | "ended";

export type ChatSession = {
  id: string;
  agent_id: string;
  title: string;
  status: SessionStatus;
  message_count: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  last_message_at: string | null;
  ended_at: string | null;
  created_at: string;
  updated_at: string;
};

export type TurnStatus = "running" | "awaiting_approval" | "completed" | "failed" | "cancelled";

export type PendingApproval = { call_id: string; tool: string; input: unknown; requested_at: string };

export type Turn = {
  id: string;
  status: TurnStatus;
  started_at: string;
  ended_at: string | null;
  error: { code: string; message: string } | null;
  pending_approvals: PendingApproval[];
};

export type SessionDetail = ChatSession & { active_turn: Turn | null; last_seq: number };

export type ToolStatus = "succeeded" | "failed" | "timed_out" | "rejected" | "cancelled" | "blocked";

export type ToolCall = { call_id: string; name: string; input: unknown };
export type ToolResult = {
  call_id: string;
  name: string;
  status: string;
  output?: unknown;
  error?: { code: string; message: string };
  execution_time_ms: number;
};

export type ChatMessage = {
  id: string;
  seq: number;
  turn_id: string | null;
  role: "user" | "assistant" | "tool" | "system";
  content: string;
  tool_calls: ToolCall[];
  tool_results: ToolResult[];
  metadata: Record<string, unknown>;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  created_at: string;
};

export type AcceptedTurn = { turn_id: string; message: ChatMessage; stream_after: number };

export type Approval = {
  call_id: string;
  turn_id: string;
  tool: string;
  status: "pending" | "approved" | "rejected" | "cancelled";
  reason: string | null;
  decided_at: string | null;
};

export type StreamEvent = { seq: number; turn_id: string | null; type: string; data: unknown; ts: string };

export type SessionTicket = { ticket: string; url: string; expires_at: string };

export type CommandRequest = "send" | "cancel" | "approve" | "reject";

export type ServerFrame =
  | { type: "welcome"; session_id: string; last_seq: number; heartbeat_ms: number }
  | { type: "event"; event: StreamEvent }
  | { type: "replay_gap"; requested_after: number; oldest_available: number }
  | { type: "replayed"; count: number; last_seq: number }
  | { type: "accepted"; turn_id: string; message_id: string; stream_after: number }
  | { type: "ack"; request: string; id: string }
  | { type: "pong" }
  | { type: "error"; code: string; message: string; request: string | null };

export type ClientFrame =
  | { type: "send"; content: string }
  | { type: "cancel"; turn_id: string }
  | { type: "approve"; call_id: string }
  | { type: "reject"; call_id: string; reason?: string }
  | { type: "resume"; after: number }
  | { type: "ping" };
