/**
 * Sending server frames and the life of a hibernating socket, the same way in every
 * object that holds WebSockets (ChatSession, UserHub, GraphSync): JSON frames, the
 * runtime's ping/pong that never wakes the object, the close echo, and `assertNever`
 * for exhaustive switches over a protocol's frames.
 */

/** The heartbeat text frames; `{"type":"ping"}` is answered by the runtime itself. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Sends one frame; callers pass their protocol's server type so only its frames fit. */
export function sendFrame<F>(ws: WebSocket, frame: F): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket closed under us; its close handler does the bookkeeping.
  }
}

/** A hibernated object answers a bare ping without waking (the reply has no `ts`). */
export function answerPingsWhileAsleep(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
}

/** The answer to a `ping` frame that reached the object (one with fields beyond `type`). */
export const pong = () => ({ type: "pong" as const, ts: new Date().toISOString() });

/** Completes the closing handshake the client started; 1005 (no code given) is answered with 1000. */
export function echoClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 ? 1000 : code, reason);
  } catch {
    // Already closed.
  }
}

/** A switch over a union reached a member it does not handle: a bug, so it throws. */
export function assertNever(value: never, what = "frame"): never {
  throw new Error(`Unhandled ${what} ${JSON.stringify(value)}`);
}
