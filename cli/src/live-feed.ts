/**
 * A resilient subscription to the live hub (over reconnecting-socket.ts): a fresh one-time
 * ticket per connection, pings every `heartbeat_ms`, and on any disconnect reconnects with
 * backoff, asking for the events after the last one seen so none are missed
 * or shown twice. Used by `edgewise events tail`.
 */
import type { HubEvent } from "./api-types";
import { parseFrame, type ServerFrame } from "./hub-frames";
import { ReconnectingSocket } from "./reconnecting-socket";

export { backoffMs } from "./reconnecting-socket";

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

export class LiveFeed {
  readonly #options: FeedOptions;
  readonly #socket: ReconnectingSocket<ServerFrame>;
  #lastEventId: number | undefined;

  constructor(options: FeedOptions) {
    this.#options = options;
    this.#lastEventId = options.since;
    this.#socket = new ReconnectingSocket({
      connectUrl: options.connectUrl,
      retryable: options.retryable,
      onStatus: options.onStatus,
      target: (url) => this.#withResume(url),
      parse: parseFrame,
      welcome: (frame) => (frame.type === "welcome" ? frame.heartbeat_ms : null),
      onFrame: (frame) => this.#handle(frame),
    });
  }

  get lastEventId(): number | undefined {
    return this.#lastEventId;
  }

  /** Runs until `stop()`; rejects only when reconnecting cannot help. */
  run(): Promise<void> {
    return this.#socket.run();
  }

  stop(): void {
    this.#socket.stop();
  }

  #withResume(url: string): string {
    const target = new URL(url);
    target.searchParams.set("topics", this.#options.topics.join(","));
    if (this.#lastEventId !== undefined) target.searchParams.set("last_event_id", String(this.#lastEventId));
    return target.toString();
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

function assertNever(value: never): never {
  throw new Error(`unhandled frame ${JSON.stringify(value)}`);
}
