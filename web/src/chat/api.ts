/** The chat session calls: sessions, their messages, turns, approvals and the WebSocket ticket. */
import { api } from "../api/client";
import type { Page } from "../api/types";
import type { AcceptedTurn, Approval, ChatMessage, ChatSession, SessionDetail, SessionTicket, Turn } from "./types";

const path = (id: string) => `/sessions/${encodeURIComponent(id)}`;

export const sessionsApi = {
  list: (cursor: string | null, agentId?: string) =>
    api.get<Page<ChatSession>>("/sessions", { query: { limit: 30, cursor, agent_id: agentId } }),
  create: (agentId: string) => api.post<ChatSession>("/sessions", { agent_id: agentId }),
  get: (id: string) => api.get<SessionDetail>(path(id)),
  rename: (id: string, title: string) => api.patch<ChatSession>(path(id), { title }),
  end: (id: string) => api.post<ChatSession>(`${path(id)}/end`),
  remove: (id: string) => api.delete<null>(path(id)),
  /** Newest first: the conversation's tail, then older pages with `next_cursor`. */
  messages: (id: string, cursor: string | null) =>
    api.get<{ items: ChatMessage[]; next_cursor: string | null }>(`${path(id)}/messages`, {
      query: { limit: 100, order: "desc", cursor },
    }),
  send: (id: string, content: string) => api.post<AcceptedTurn>(`${path(id)}/messages`, { content }),
  cancel: (id: string, turnId: string) => api.post<Turn>(`${path(id)}/turns/${encodeURIComponent(turnId)}/cancel`),
  decide: (id: string, callId: string, decision: "approve" | "reject") =>
    api.post<Approval>(`${path(id)}/approvals/${encodeURIComponent(callId)}`, { decision }),
  ticket: (id: string) => api.post<SessionTicket>(`${path(id)}/ws/ticket`),
};
