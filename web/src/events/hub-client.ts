/**
 * HubClient: the console's live connection to the user's hub. It trades the
 * session for a one-time ticket, opens the WebSocket, pings every heartbeat,
 * and when the socket drops reconnects with backoff, passing last_event_id so
 * the hub replays what was missed. React reads it through events/hub-context.tsx.
 */
import { type ClientMessage, type HubEvent, ServerMessage } from "../../../shared/live-hub/protocol";
import { parseJsonFrame } from "../../../shared/parse-frame";
import { LiveSocket, type LiveStatus } from "../api/live-socket";
import type { HubTicket } from "../api/types";

/** A hub frame, checked with the hub's own schema; anything else is dropped. */
const parseFrame = (raw: unknown) => parseJsonFrame(ServerMessage, raw);

export type HubStatus = LiveStatus;

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

export class HubClient {
  #snapshot: HubSnapshot = { status: "connecting", events: [], lastEventId: null, notice: null };
  #listeners = new Set<() => void>();
  #backfilling = false;
  readonly #live: LiveSocket<ServerMessage>;

  constructor(requestTicket: () => Promise<HubTicket>) {
    this.#live = new LiveSocket<ServerMessage>({
      ticket: requestTicket,
      target: (url) => {
        const { lastEventId } = this.#snapshot;
        if (lastEventId !== null) url.searchParams.set("last_event_id", String(lastEventId));
      },
      parse: parseFrame,
      welcome: (frame) => (frame.type === "welcome" ? frame.heartbeat_ms : null),
      onFrame: (frame) => this.#onFrame(frame),
      // Keep the last notice while reconnecting; a new one replaces it.
      onStatus: (status, notice) => this.#set(notice === null ? { status } : { status, notice }),
      onDetach: () => {
        this.#backfilling = false;
      },
    });
  }

  start() {
    window.addEventListener("online", this.reconnectNow);
    this.#live.start();
  }

  stop() {
    window.removeEventListener("online", this.reconnectNow);
    this.#live.stop("Console closed the feed");
  }

  /** Skips the backoff wait (the "Retry now" button, the browser coming back online). */
  reconnectNow = () => this.#live.reconnectNow();

  clearEvents() {
    this.#set({ events: [] });
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = () => this.#snapshot;

  #onFrame(frame: ServerMessage) {
    switch (frame.type) {
      case "welcome":
        return this.#onWelcome(frame.last_event_id);
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

  #onWelcome(hubLastEventId: number) {
    if (this.#snapshot.lastEventId === null) {
      // First connection: start counting from the hub's newest event, and fetch a page of recent history.
      this.#set({ lastEventId: hubLastEventId });
      if (hubLastEventId > 0) {
        this.#backfilling = true;
        this.#live.send({
          type: "resume",
          last_event_id: Math.max(0, hubLastEventId - BACKFILL),
        } satisfies ClientMessage);
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

  #set(patch: Partial<HubSnapshot>) {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener();
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled hub frame ${JSON.stringify(value)}`);
}
