/**
 * A resilient subscription to the live hub: connects with a fresh one-time
 * ticket, pings every `heartbeat_ms`, and on any disconnect reconnects with
 * backoff, asking for the events after the last one seen so none are missed
 * or shown twice. Used by `edgewise events tail`.
 */
import type { HubEvent } from "./api-types";
import { PING_FRAME, parseFrame, type ServerFrame } from "./hub-frames";

export type FeedOptions = {
  /** A WebSocket URL with a fresh ticket; throws to stop the feed (e.g. credentials refused). */
  connectUrl: () => Promise<string>;
  /** Whether a `connectUrl` failure is worth retrying (network, 5xx) or final (401, 403). */
  retryable: (error: unknown) => boolean;
  topics: readonly string[];
  /** Replay the buffered events after this id first; otherwise start with what comes next. */
  since?: number;
  onEvent: (event: HubEvent) => void;
  onStatus: (message: string) => void;
};

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** A socket that says nothing for this long after opening is given up on. */
const WELCOME_TIMEOUT_MS = 15_000;

/** Exponential backoff with jitter, so many clients cut off together do not return together. */
export function backoffMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

type Outcome = { welcomed: boolean; reason: string };

export class LiveFeed {
  readonly #options: FeedOptions;
  #lastEventId: number | undefined;
  #stopped = false;
  #socket: WebSocket | undefined;
  #wake: (() => void) | undefined;

  constructor(options: FeedOptions) {
    this.#options = options;
    this.#lastEventId = options.since;
  }

  get lastEventId(): number | undefined {
    return this.#lastEventId;
  }

  /** Runs until `stop()`; rejects only when reconnecting cannot help. */
  async run(): Promise<void> {
    for (let attempt = 0; !this.#stopped; ) {
      let url: string;
      try {
        url = await this.#options.connectUrl();
      } catch (error) {
        if (this.#stopped) return;
        if (!this.#options.retryable(error)) throw error;
        const delay = backoffMs(attempt++);
        this.#options.onStatus(`cannot get a connect ticket (${describe(error)}); retrying in ${seconds(delay)}`);
        await this.#sleep(delay);
        continue;
      }
      if (this.#stopped) return;
      const outcome = await this.#connect(url);
      if (this.#stopped) return;
      if (outcome.welcomed) attempt = 0;
      const delay = backoffMs(attempt++);
      this.#options.onStatus(`disconnected (${outcome.reason}); reconnecting in ${seconds(delay)}`);
      await this.#sleep(delay);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    try {
      this.#socket?.close(1000, "client stopped");
    } catch {
      // Never opened; nothing to close.
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #withResume(url: string): string {
    const target = new URL(url);
    target.searchParams.set("topics", this.#options.topics.join(","));
    if (this.#lastEventId !== undefined) target.searchParams.set("last_event_id", String(this.#lastEventId));
    return target.toString();
  }

  /** One connection, from open to close; resolves (never rejects) with how it ended. */
  #connect(url: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const socket = new WebSocket(this.#withResume(url));
      this.#socket = socket;
      let welcomed = false;
      let lastHeard = Date.now();
      let heartbeat: NodeJS.Timeout | undefined;
      const settle = (reason: string) => {
        clearTimeout(welcomeTimer);
        clearInterval(heartbeat);
        if (socket.readyState !== WebSocket.CLOSED) socket.close(1000);
        resolve({ welcomed, reason });
      };
      const welcomeTimer = setTimeout(() => settle("no welcome from the server"), WELCOME_TIMEOUT_MS);
      socket.addEventListener("message", (message) => {
        lastHeard = Date.now();
        const frame = parseFrame(message.data);
        // Frames already queued when stop() was called (a replay burst past --count) are dropped.
        if (!frame || this.#stopped) return;
        if (frame.type === "welcome" && !welcomed) {
          welcomed = true;
          clearTimeout(welcomeTimer);
          // Silence past two heartbeats means the connection died without a close frame.
          heartbeat = setInterval(() => {
            if (Date.now() - lastHeard > 2 * frame.heartbeat_ms + 5_000) settle("heartbeat lost");
            else socket.send(PING_FRAME);
          }, frame.heartbeat_ms);
        }
        this.#handle(frame);
      });
      socket.addEventListener("close", (event) => {
        const why = welcomed ? `code ${event.code}${event.reason ? `, ${event.reason}` : ""}` : "connection refused";
        settle(why);
      });
      // An error is always followed by a close event, which does the bookkeeping.
      socket.addEventListener("error", () => {});
    });
  }

  #handle(frame: ServerFrame): void {
    const status = this.#options.onStatus;
    switch (frame.type) {
      case "welcome":
        if (this.#lastEventId !== undefined && frame.last_event_id < this.#lastEventId) {
          // The server's feed restarted (a fresh local dev server): ids begin again.
          status(`the server's event ids restarted at #${frame.last_event_id}; following from there`);
          this.#lastEventId = frame.last_event_id;
        }
        this.#lastEventId ??= frame.last_event_id;
        status(`connected (topics ${frame.topics.join(",")}; last event #${frame.last_event_id})`);
        break;
      case "event":
        // A replay can overlap what was already shown; ids only grow, so older means seen.
        if (this.#lastEventId !== undefined && frame.event.id <= this.#lastEventId) break;
        this.#lastEventId = frame.event.id;
        this.#options.onEvent(frame.event);
        break;
      case "replay_gap":
        status(
          `events #${frame.requested_after + 1}–#${frame.oldest_available - 1} were dropped by the server before we caught up`,
        );
        break;
      case "replayed":
        if (frame.count > 0) status(`caught up: ${frame.count} earlier event(s) replayed`);
        break;
      case "error":
        status(`server says: ${frame.message} (${frame.code})`);
        break;
      case "pong":
      case "subscribed":
      case "unsubscribed":
        break;
      default:
        assertNever(frame);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled frame ${JSON.stringify(value)}`);
}
