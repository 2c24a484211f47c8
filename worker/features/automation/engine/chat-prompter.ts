/**
 * Agent-prompt steps through the real chat pipeline: each prompt opens a chat
 * session with the agent (titled after the step, so a person can read what the
 * workflow asked), sends the prompt as a turn with the run owner's scopes, and
 * follows the session's stream until the turn ends. The answer is the final
 * message's text; its cost is the turn's. Budgets, tools and approvals apply as
 * in any chat (a turn waiting for approval waits until the step times out).
 */

import type { StreamEvent } from "../../../../durable-objects/chat-session/protocol";
import { getDb } from "../../../db/client";
import { AppError } from "../../../errors";
import { createSession, sessionStub } from "../../chat-sessions/service";
import type { AgentAnswer, AgentPrompter, AgentPromptRequest } from "./agent-prompter";

export const chatPrompter: AgentPrompter = {
  async prompt(env, request) {
    let sessionId: string;
    try {
      const title = `Workflow step ${request.idempotencyKey}`.slice(0, 200);
      sessionId = (await createSession(getDb(env), request.userId, { agent_id: request.agentId, title })).id;
    } catch (error) {
      if (error instanceof AppError) return { ok: false, code: error.code, message: error.message, retryable: false };
      throw error;
    }
    const ref = { sessionId, userId: request.userId, agentId: request.agentId };
    const stub = sessionStub(env, sessionId);
    const accepted = await stub.submit(ref, { content: request.prompt }, { scopes: [...request.scopes], via: "http" });
    if (!accepted.ok) return { ok: false, code: accepted.code, message: accepted.message, retryable: false };
    const turnId = accepted.value.turn_id;
    const onAbort = () => void stub.cancelTurn(ref, turnId).catch(() => {});
    request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const opened = await stub.openStream(ref, accepted.value.stream_after);
      if (!opened.ok) return { ok: false, code: opened.code, message: opened.message, retryable: true };
      const answer = await answerOf(opened.value, turnId, request);
      return answer.ok ? { ...answer, sessionId } : answer;
    } finally {
      request.signal.removeEventListener("abort", onAbort);
    }
  },
};

/** Reads SSE frames until the turn ends: the final message's text, or why there is none. */
async function answerOf(
  stream: ReadableStream<Uint8Array>,
  turnId: string,
  request: AgentPromptRequest,
): Promise<AgentAnswer> {
  const texts = new Map<string, string>();
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = "";
  try {
    while (!request.signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const frames = buffered.split("\n\n");
      buffered = frames.pop() ?? "";
      for (const frame of frames) {
        const event = eventOf(frame);
        if (!event || event.turn_id !== turnId) continue;
        const data = (event.data ?? {}) as Record<string, unknown>;
        if (event.type === "text.delta") {
          const id = String(data.message_id);
          texts.set(id, (texts.get(id) ?? "") + String(data.text ?? ""));
        } else if (event.type === "turn.completed") {
          const usage = (data.usage ?? {}) as { cost_micros?: number };
          return { ok: true, text: texts.get(String(data.message_id)) ?? "", costMicros: usage.cost_micros ?? 0 };
        } else if (event.type === "turn.failed" || event.type === "turn.cancelled") {
          const code = typeof data.code === "string" ? data.code : event.type.replace(".", "_");
          const message = typeof data.message === "string" ? data.message : `The agent's turn ended: ${event.type}`;
          return { ok: false, code, message, retryable: code === "model_error" };
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { ok: false, code: "cancelled", message: "The step stopped before the agent answered", retryable: true };
}

function eventOf(frame: string): StreamEvent | null {
  const line = frame.split("\n").find((candidate) => candidate.startsWith("data: "));
  if (!line || frame.includes("event: replay_gap")) return null;
  try {
    return JSON.parse(line.slice(6)) as StreamEvent;
  } catch {
    return null;
  }
}
