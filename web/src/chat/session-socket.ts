/**
 * SessionSocket: the console's live connection to one chat session. It trades the
 * login for a one-time ticket, opens the session WebSocket with `?after=<seq>` (the
 * server replays what came after, then streams), pings every heartbeat, and after
 * a drop reconnects with backoff from the last seq it saw, so no event is missed or
 * shown twice. Commands (send, cancel, approve, reject) go over the socket and
 * resolve on the server's `accepted` / `ack`, or reject with its `error` frame.
 */
import { ApiError, describeError } from "../api/errors";
import { parseFrame } from "./frames";
import type { ClientFrame, CommandRequest, ServerFrame, SessionTicket, StreamEvent } from "./types";

export type SocketStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type SocketListener = {
  event: (event: StreamEvent) => void;
  status: (status: SocketStatus, notice: string | null) => void;
  /** Events were pruned before we caught up: the conversation must be reloaded. */
  gap: () => void;
};

type Pending = { resolve: (frame: ServerFrame) => void; reject: (error: Error) => void; timer: number };

/** Thrown by `command` when no socket is open; the caller may use the HTTP API instead. */
export class NotConnected extends Error {
  override name = "NotConnected";
}

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 15_000;
const COMMAND_TIMEOUT_MS = 15_000;

export class SessionSocket {
  #socket: WebSocket | null = null;
  #lastSeq: number;
  #generation = 0;
  #attempt = 0;
  #lastFrameAt = 0;
  #retryTimer: number | undefined;
  #heartbeatTimer: number | undefined;
  #pending = new Map<CommandRequest, Pending>();

  constructor(
    private readonly requestTicket: () => Promise<SessionTicket>,
    private readonly listener: SocketListener,
    after: number,
  ) {
    this.#lastSeq = after;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  start() {
    this.#generation++;
    void this.#connect();
  }

  stop() {
    this.#generation++;
    window.clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, "Console left the chat");
    this.#detach("The chat was closed");
  }

  reconnectNow = () => {
    if (this.#socket) return;
    this.#generation++;
    void this.#connect();
  };

  /** Sends a command; resolves with the server's answer (accepted or ack), rejects with its error. */
  command(frame: Exclude<ClientFrame, { type: "resume" | "ping" }>): Promise<ServerFrame> {
    if (!this.connected) return Promise.reject(new NotConnected("The live connection is not open"));
    this.#pending.get(frame.type)?.reject(new Error("superseded"));
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(frame.type);
        reject(new Error("The server did not answer in time"));
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(frame.type, { resolve, reject, timer });
      this.#socket?.send(JSON.stringify(frame));
    });
  }

  async #connect() {
    const generation = this.#generation;
    window.clearTimeout(this.#retryTimer);
    this.listener.status(this.#attempt === 0 ? "connecting" : "reconnecting", null);
    let ticket: SessionTicket;
    try {
      ticket = await this.requestTicket();
    } catch (error) {
      if (generation !== this.#generation) return;
      // Signed out, not allowed, or the session is gone: retrying cannot help.
      if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
        return this.listener.status("offline", describeError(error));
      }
      return this.#scheduleRetry(describeError(error));
    }
    if (generation !== this.#generation) return;
    this.#open(ticket.url);
  }

  #open(ticketUrl: string) {
    const url = new URL(ticketUrl);
    url.searchParams.set("after", String(this.#lastSeq));
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onmessage = (message) => {
      if (socket !== this.#socket) return;
      this.#lastFrameAt = Date.now();
      const frame = parseFrame(message.data);
      if (frame) this.#onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#detach("The connection closed");
      if (event.code === 1008) return this.listener.status("offline", event.reason || "The server closed the chat");
      this.#scheduleRetry(event.reason || "The live connection was lost");
    };
  }

  #onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case "welcome":
        this.#attempt = 0;
        this.#startHeartbeat(frame.heartbeat_ms);
        return this.listener.status("connected", null);
      case "event":
        // Replays can overlap what was already shown; seqs only grow.
        if (frame.event.seq <= this.#lastSeq) return;
        this.#lastSeq = frame.event.seq;
        return this.listener.event(frame.event);
      case "replay_gap":
        return this.listener.gap();
      case "accepted":
        return this.#settle("send", frame);
      case "ack":
        return this.#settle(frame.request as CommandRequest, frame);
      case "error":
        if (frame.request) return this.#settle(frame.request as CommandRequest, frame);
        return this.listener.status("connected", frame.message);
      case "replayed":
      case "pong":
        return;
      default:
        return assertNever(frame);
    }
  }

  #settle(request: CommandRequest, frame: ServerFrame) {
    const pending = this.#pending.get(request);
    if (!pending) return;
    this.#pending.delete(request);
    window.clearTimeout(pending.timer);
    if (frame.type === "error") pending.reject(new ApiError(409, frame.code, frame.message));
    else pending.resolve(frame);
  }

  #startHeartbeat(intervalMs: number) {
    window.clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = window.setInterval(() => {
      // Two silent intervals: the network died without closing the socket.
      if (Date.now() - this.#lastFrameAt > intervalMs * 2) {
        this.#socket?.close(4000, "Heartbeat timed out");
        this.#detach("The connection stopped answering");
        return this.#scheduleRetry("The live connection stopped answering");
      }
      if (this.connected) this.#socket?.send(JSON.stringify({ type: "ping" } satisfies ClientFrame));
    }, intervalMs);
  }

  #scheduleRetry(reason: string) {
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    this.listener.status("reconnecting", reason);
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => void this.#connect(), delay);
  }

  #detach(reason: string) {
    if (this.#socket) {
      this.#socket.onmessage = null;
      this.#socket.onclose = null;
    }
    this.#socket = null;
    window.clearInterval(this.#heartbeatTimer);
    for (const pending of this.#pending.values()) {
      window.clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
    this.#pending.clear();
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled session frame ${JSON.stringify(value)}`);
}
