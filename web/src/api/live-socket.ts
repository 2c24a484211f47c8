/**
 * LiveSocket: how the console keeps a WebSocket open. Each attempt trades the login
 * for a one-time ticket, opens the ticket's URL (plus the caller's resume parameters),
 * pings every heartbeat the server's welcome announces, and after a drop reconnects
 * with backoff. Used by the live hub (events/hub-client.ts) and chat sessions
 * (chat/session-socket.ts), which say how to resume and what each frame means.
 */
import { ApiError, describeError } from "./errors";

export type LiveStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type LiveSocketOptions<F> = {
  ticket: () => Promise<{ url: string }>;
  /** Adds what resumes where the last connection stopped (last_event_id, after). */
  target: (url: URL) => void;
  parse: (raw: unknown) => F | null;
  /** The heartbeat interval if `frame` is the server's welcome, else null. */
  welcome: (frame: F) => number | null;
  onFrame: (frame: F) => void;
  onStatus: (status: LiveStatus, notice: string | null) => void;
  /** Ticket refusals that retrying cannot fix (default: 401 and 403). */
  fatalStatuses?: readonly number[];
  /** A close the server meant as final (default: none; 1008 for a policy close). */
  finalClose?: (event: CloseEvent) => boolean;
  /** The socket is gone (closed, timed out or stopped): callers drop what waited on it. */
  onDetach?: (reason: string) => void;
};

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 15_000;

export class LiveSocket<F> {
  #socket: WebSocket | null = null;
  #generation = 0;
  #connecting = false;
  #attempt = 0;
  #welcomed = false;
  #lastFrameAt = 0;
  #retryTimer: number | undefined;
  #heartbeatTimer: number | undefined;

  constructor(private readonly options: LiveSocketOptions<F>) {}

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  start() {
    this.#generation++;
    void this.#connect();
  }

  stop(reason: string) {
    this.#generation++;
    window.clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, reason);
    this.#detach(reason);
    this.options.onStatus("offline", null);
  }

  /** Skips the backoff wait ("Retry now", the browser coming back online). */
  reconnectNow = () => {
    if (this.#socket || this.#connecting) return;
    this.#generation++;
    void this.#connect();
  };

  /** Sends a frame if the socket is open; false if it is not. */
  send(frame: unknown): boolean {
    if (!this.connected) return false;
    this.#socket?.send(JSON.stringify(frame));
    return true;
  }

  async #connect() {
    const generation = this.#generation;
    window.clearTimeout(this.#retryTimer);
    this.#connecting = true;
    this.options.onStatus(this.#welcomed ? "reconnecting" : "connecting", null);
    let ticket: { url: string };
    try {
      ticket = await this.options.ticket();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#connecting = false;
      const fatal = this.options.fatalStatuses ?? [401, 403];
      // Signed out, not allowed, gone: retrying cannot help.
      if (error instanceof ApiError && fatal.includes(error.status)) {
        return this.options.onStatus("offline", describeError(error));
      }
      return this.#scheduleRetry(describeError(error));
    }
    if (generation !== this.#generation) return;
    this.#connecting = false;
    this.#open(ticket.url);
  }

  #open(ticketUrl: string) {
    const url = new URL(ticketUrl);
    this.options.target(url);
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onmessage = (message) => {
      if (socket !== this.#socket) return;
      this.#lastFrameAt = Date.now();
      const frame = this.options.parse(message.data);
      if (frame === null) return;
      const heartbeatMs = this.options.welcome(frame);
      if (heartbeatMs !== null) this.#onWelcome(heartbeatMs);
      this.options.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#detach(event.reason || "The connection closed");
      if (this.options.finalClose?.(event)) return this.options.onStatus("offline", event.reason || null);
      this.#scheduleRetry(event.reason || "The live connection was lost");
    };
  }

  #onWelcome(heartbeatMs: number) {
    this.#attempt = 0;
    this.#welcomed = true;
    window.clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = window.setInterval(() => {
      // Two silent intervals: the network died without closing the socket.
      if (Date.now() - this.#lastFrameAt > heartbeatMs * 2) {
        this.#socket?.close(4000, "Heartbeat timed out");
        this.#detach("The connection stopped answering");
        return this.#scheduleRetry("The live connection stopped answering");
      }
      this.send({ type: "ping" });
    }, heartbeatMs);
  }

  #scheduleRetry(reason: string) {
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    this.options.onStatus("reconnecting", reason);
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => void this.#connect(), delay);
  }

  #detach(reason: string) {
    if (this.#socket) {
      this.#socket.onmessage = null;
      this.#socket.onclose = null;
    }
    this.#socket = null;
    this.#connecting = false;
    window.clearInterval(this.#heartbeatTimer);
    this.options.onDetach?.(reason);
  }
}
