/**
 * HubClient: the console's live connection to the user's hub. It trades the
 * session for a one-time ticket, opens the WebSocket, pings every heartbeat,
 * and when the socket drops reconnects with backoff, passing last_event_id so
 * the hub replays what was missed. React reads it through events/hub-context.tsx.
 */
import { ApiError, describeError } from "../api/errors";
import type { HubEvent, HubTicket } from "../api/types";
import { type ClientFrame, parseFrame, type ServerFrame } from "./frames";

export type HubStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type HubSnapshot = {
  status: HubStatus;
  /** Newest first, at most MAX_EVENTS. */
  events: HubEvent[];
  /** The newest event id this client has accounted for; sent as last_event_id on reconnect. */
  lastEventId: number | null;
  /** The latest problem worth showing (a lost connection, a replay gap). */
  notice: string | null;
};

const MAX_EVENTS = 200;
/** On the first connection, show this many recent events from the hub's replay buffer. */
const BACKFILL = 50;
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 15_000;

export class HubClient {
  #snapshot: HubSnapshot = { status: "connecting", events: [], lastEventId: null, notice: null };
  #listeners = new Set<() => void>();
  #socket: WebSocket | null = null;
  #generation = 0;
  #connecting = false;
  #attempt = 0;
  #backfilling = false;
  #lastFrameAt = 0;
  #retryTimer: number | undefined;
  #heartbeatTimer: number | undefined;

  constructor(private readonly requestTicket: () => Promise<HubTicket>) {}

  start() {
    this.#generation++;
    window.addEventListener("online", this.reconnectNow);
    void this.#connect();
  }

  stop() {
    this.#generation++;
    window.removeEventListener("online", this.reconnectNow);
    this.#clearTimers();
    this.#socket?.close(1000, "Console closed the feed");
    this.#detach();
    this.#set({ status: "offline" });
  }

  /** Skips the backoff wait (the "Retry now" button, the browser coming back online). */
  reconnectNow = () => {
    if (this.#socket || this.#connecting) return;
    void this.#connect();
  };

  clearEvents() {
    this.#set({ events: [] });
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = () => this.#snapshot;

  async #connect() {
    const generation = this.#generation;
    window.clearTimeout(this.#retryTimer);
    this.#connecting = true;
    this.#set({ status: this.#snapshot.lastEventId === null ? "connecting" : "reconnecting" });
    let ticket: HubTicket;
    try {
      ticket = await this.requestTicket();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#connecting = false;
      // Signed out or not allowed: retrying cannot help.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        return this.#set({ status: "offline", notice: describeError(error) });
      }
      return this.#scheduleRetry(describeError(error));
    }
    if (generation !== this.#generation) return;
    this.#connecting = false;
    this.#open(ticket);
  }

  #open(ticket: HubTicket) {
    const url = new URL(ticket.url);
    const { lastEventId } = this.#snapshot;
    if (lastEventId !== null) url.searchParams.set("last_event_id", String(lastEventId));
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
      this.#detach();
      this.#scheduleRetry(event.reason || "The live connection was lost");
    };
  }

  #onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case "welcome":
        return this.#onWelcome(frame.last_event_id, frame.heartbeat_ms);
      case "event":
        return this.#addEvent(frame.event);
      case "replayed":
        this.#backfilling = false;
        return this.#set({ lastEventId: Math.max(this.#snapshot.lastEventId ?? 0, frame.last_event_id) });
      case "replay_gap":
        if (this.#backfilling) return;
        return this.#set({
          notice: `Some events were missed while offline: the hub keeps only recent ones (from #${frame.oldest_available}).`,
        });
      case "error":
        return this.#set({ notice: frame.message });
      case "pong":
      case "subscribed":
      case "unsubscribed":
        return;
      default:
        return assertNever(frame);
    }
  }

  #onWelcome(hubLastEventId: number, heartbeatMs: number) {
    this.#attempt = 0;
    this.#startHeartbeat(heartbeatMs);
    if (this.#snapshot.lastEventId === null) {
      // First connection: start counting from the hub's newest event, and fetch a page of recent history.
      this.#set({ lastEventId: hubLastEventId });
      if (hubLastEventId > 0) {
        this.#backfilling = true;
        this.#send({ type: "resume", last_event_id: Math.max(0, hubLastEventId - BACKFILL) });
      }
    }
    this.#set({ status: "connected", notice: null });
  }

  #addEvent(event: HubEvent) {
    const { events, lastEventId } = this.#snapshot;
    const next: Partial<HubSnapshot> = { lastEventId: Math.max(lastEventId ?? 0, event.id) };
    // Replays can repeat what we already hold; ids are unique and increasing per user.
    if (!events.some((known) => known.id === event.id)) {
      next.events = [...events, event].sort((a, b) => b.id - a.id).slice(0, MAX_EVENTS);
    }
    this.#set(next);
  }

  #startHeartbeat(intervalMs: number) {
    window.clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = window.setInterval(() => {
      // Two silent intervals means the network died without closing the socket.
      if (Date.now() - this.#lastFrameAt > intervalMs * 2) {
        this.#socket?.close(4000, "Heartbeat timed out");
        this.#detach();
        return this.#scheduleRetry("The live connection stopped answering");
      }
      this.#send({ type: "ping" });
    }, intervalMs);
  }

  #scheduleRetry(reason: string) {
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    this.#set({ status: "reconnecting", notice: reason });
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => void this.#connect(), delay);
  }

  #send(frame: ClientFrame) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #detach() {
    if (this.#socket) {
      this.#socket.onmessage = null;
      this.#socket.onclose = null;
    }
    this.#socket = null;
    this.#connecting = false;
    this.#backfilling = false;
    window.clearInterval(this.#heartbeatTimer);
  }

  #clearTimers() {
    window.clearTimeout(this.#retryTimer);
    window.clearInterval(this.#heartbeatTimer);
  }

  #set(patch: Partial<HubSnapshot>) {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener();
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled hub frame ${JSON.stringify(value)}`);
}
