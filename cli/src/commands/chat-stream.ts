/**
 * A chat session's live stream over its WebSocket: each connection asks with
 * `?after=<seq>` for what came after the last event delivered (the server replays,
 * then streams), so across reconnects a turn's events arrive once each, in order.
 * Used by `edgewise chat`.
 */
import { ReconnectingSocket } from "../reconnecting-socket";
import { parseFrame, type ServerFrame, type StreamEvent } from "./chat-api";

export type StreamOptions = {
  /** The WebSocket URL with a fresh ticket; throws to stop the stream (e.g. credentials refused). */
  connectUrl: () => Promise<string>;
  retryable: (error: unknown) => boolean;
  /** Deliver the events after this seq. */
  after: number;
  onEvent: (event: StreamEvent) => void;
  onStatus: (message: string) => void;
};

export class SessionStream {
  readonly #socket: ReconnectingSocket<ServerFrame>;
  readonly #options: StreamOptions;
  #lastSeq: number;

  constructor(options: StreamOptions) {
    this.#options = options;
    this.#lastSeq = options.after;
    this.#socket = new ReconnectingSocket({
      connectUrl: options.connectUrl,
      retryable: options.retryable,
      onStatus: options.onStatus,
      lostLabel: "stream lost",
      target: (url) => {
        const target = new URL(url);
        target.searchParams.set("after", String(this.#lastSeq));
        return target.toString();
      },
      parse: parseFrame,
      welcome: (frame) => (frame.type === "welcome" ? frame.heartbeat_ms : null),
      onFrame: (frame) => this.#handle(frame),
    });
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  run(): Promise<void> {
    return this.#socket.run();
  }

  stop(): void {
    this.#socket.stop();
  }

  #handle(frame: ServerFrame): void {
    if (frame.type === "event") {
      // Replays can overlap what was delivered; seqs only grow.
      if (frame.event.seq <= this.#lastSeq) return;
      this.#lastSeq = frame.event.seq;
      this.#options.onEvent(frame.event);
    } else if (frame.type === "replay_gap") {
      this.#options.onStatus(
        `events #${frame.requested_after + 1}–#${frame.oldest_available - 1} were pruned before we caught up`,
      );
    } else if (frame.type === "error") {
      this.#options.onStatus(`server says: ${frame.message} (${frame.code})`);
    }
  }
}
