/**
 * Keeps the owner's UserHub told which credentials hold sockets on this session
 * (durable-objects/user-hub/chat-sockets.ts), so that logout or a revoked key can
 * find and close them here (disconnectLive, worker/features/events/publish.ts).
 * Called by ChatSession on accept and on close.
 */
import type { SocketState } from "./protocol";
import { stateOf } from "./sockets";

const hubOf = (env: Env, state: SocketState) => env.USER_HUB.getByName(state.userId);

/**
 * Notes a just-accepted socket. Called after accepting, so a close of another socket
 * with the same credential meanwhile sees this one and does not forget the row. If
 * the hub cannot be told, logout could not close the socket, so it is closed now.
 */
export async function registerSocket(env: Env, ws: WebSocket): Promise<void> {
  const state = stateOf(ws);
  if (!state) return;
  try {
    await hubOf(env, state).noteChatSocket(state.credential, state.sessionId);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "chat socket registration failed", error: String(error) }));
    ws.close(1011, "try_again");
  }
}

/** Forgets the credential of a closing socket once no other open socket here holds it. */
export async function unregisterSocket(ctx: DurableObjectState, env: Env, closing: WebSocket): Promise<void> {
  const state = stateOf(closing);
  if (!state?.sessionId) return;
  const { type, id } = state.credential;
  const stillOpen = ctx.getWebSockets().some((ws) => {
    const other = stateOf(ws);
    return (
      ws.readyState === WebSocket.OPEN &&
      other?.connectionId !== state.connectionId &&
      other?.credential.type === type &&
      other.credential.id === id
    );
  });
  if (stillOpen) return;
  try {
    await hubOf(env, state).forgetChatSocket(state.credential, state.sessionId);
  } catch (error) {
    // A row left behind only costs logout one call that closes nothing.
    console.warn(JSON.stringify({ msg: "chat socket unregistration failed", error: String(error) }));
  }
}
