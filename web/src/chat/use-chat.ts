/**
 * useChat: one open conversation. Loads the session and its newest messages, then
 * follows the session WebSocket from the session's last seq (from 0 while a turn
 * is in flight, so its streamed text is not cut off), folding events into the
 * transcript. Commands go over the socket, or over HTTP while it is down.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../api/errors";
import { sessionsApi } from "./api";
import { NotConnected, SessionSocket, type SocketStatus } from "./session-socket";
import { applyEvent, EMPTY_TRANSCRIPT, fromHistory, prependHistory, type Transcript } from "./transcript";
import type { SessionDetail, StreamEvent } from "./types";

/** What the API names a session created without a title. */
const DEFAULT_TITLE = "New chat";

function titleFrom(content: string): string {
  const line = content.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || DEFAULT_TITLE;
}

const TURN_ENDS = new Set(["turn.completed", "turn.failed", "turn.cancelled", "session.ended"]);

export type ChatState = {
  detail: SessionDetail | null;
  transcript: Transcript;
  status: SocketStatus;
  notice: string | null;
  loadError: unknown;
  olderCursor: string | null;
};

const INITIAL: ChatState = {
  detail: null,
  transcript: EMPTY_TRANSCRIPT,
  status: "connecting",
  notice: null,
  loadError: null,
  olderCursor: null,
};

/** Tries the socket first; only when it is not open does the same command go over HTTP. */
async function viaSocket<T>(
  socket: SessionSocket | null,
  overSocket: (s: SessionSocket) => Promise<unknown>,
  overHttp: () => Promise<T>,
) {
  if (socket) {
    try {
      await overSocket(socket);
      return;
    } catch (error) {
      if (!(error instanceof NotConnected)) throw error;
    }
  }
  await overHttp();
}

/** `onTurnEnd` runs after each turn (the page refreshes its session list then). */
export function useChat(sessionId: string, onTurnEnd?: () => void) {
  const [state, setState] = useState<ChatState>(INITIAL);
  const turnEnded = useRef(onTurnEnd);
  turnEnded.current = onTurnEnd;
  const [generation, setGeneration] = useState(0);
  const socketRef = useRef<SessionSocket | null>(null);
  const patch = useCallback((next: Partial<ChatState>) => setState((s) => ({ ...s, ...next })), []);

  const refreshDetail = useCallback(() => {
    sessionsApi.get(sessionId).then(
      (detail) => setState((s) => ({ ...s, detail })),
      () => {},
    );
  }, [sessionId]);

  useEffect(() => {
    let live = true;
    let socket: SessionSocket | null = null;
    const onEvent = (event: StreamEvent) => {
      setState((s) => ({ ...s, transcript: applyEvent(s.transcript, event) }));
      if (!TURN_ENDS.has(event.type)) return;
      refreshDetail();
      turnEnded.current?.();
    };
    (async () => {
      const detail = await sessionsApi.get(sessionId);
      const page = await sessionsApi.messages(sessionId, null);
      if (!live) return;
      const transcript = fromHistory([...page.items].reverse(), detail.active_turn, detail.status === "ended");
      // A reload after a replay gap says why the conversation jumped.
      const notice = generation > 0 ? "Some live events were missed; the conversation was reloaded." : null;
      setState({ ...INITIAL, detail, transcript, olderCursor: page.next_cursor, notice });
      const after = detail.active_turn?.status === "running" ? 0 : detail.last_seq;
      socket = new SessionSocket(
        () => sessionsApi.ticket(sessionId),
        {
          event: onEvent,
          status: (status, notice) => live && patch({ status, notice }),
          gap: () => live && setGeneration((n) => n + 1),
        },
        after,
      );
      socketRef.current = socket;
      socket.start();
    })().catch((loadError: unknown) => live && patch({ loadError }));
    return () => {
      live = false;
      socket?.stop();
      socketRef.current = null;
    };
  }, [sessionId, generation, patch, refreshDetail]);

  const untitled = state.detail?.title === DEFAULT_TITLE && state.detail.message_count === 0;
  const send = useCallback(
    async (content: string) => {
      await viaSocket(
        socketRef.current,
        (s) => s.command({ type: "send", content }),
        () => sessionsApi.send(sessionId, content),
      );
      // A new session is named after its first message, so the session list tells chats apart.
      if (untitled) await sessionsApi.rename(sessionId, titleFrom(content)).catch(() => {});
    },
    [sessionId, untitled],
  );

  const cancel = useCallback(
    (turnId: string) =>
      viaSocket(
        socketRef.current,
        (s) => s.command({ type: "cancel", turn_id: turnId }),
        () => sessionsApi.cancel(sessionId, turnId),
      ),
    [sessionId],
  );

  const decide = useCallback(
    (callId: string, decision: "approve" | "reject") =>
      viaSocket(
        socketRef.current,
        (s) =>
          s.command(
            decision === "approve" ? { type: "approve", call_id: callId } : { type: "reject", call_id: callId },
          ),
        () => sessionsApi.decide(sessionId, callId, decision),
      ),
    [sessionId],
  );

  const loadOlder = useCallback(async () => {
    const cursor = state.olderCursor;
    if (!cursor) return;
    try {
      const page = await sessionsApi.messages(sessionId, cursor);
      const older = [...page.items].reverse();
      setState((s) => ({ ...s, transcript: prependHistory(s.transcript, older), olderCursor: page.next_cursor }));
    } catch (error) {
      patch({ notice: describeError(error) });
    }
  }, [sessionId, state.olderCursor, patch]);

  const reconnect = useCallback(() => socketRef.current?.reconnectNow(), []);

  return { ...state, send, cancel, decide, loadOlder, reconnect, refreshDetail };
}
