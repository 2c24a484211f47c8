/**
 * A chat session's live stream over its WebSocket: connects with a fresh one-time
 * ticket and `?after=<seq>` (the server replays what came after, then streams),
 * pings every heartbeat, and after any drop reconnects with backoff from the last
 * seq it delivered, so a turn's events arrive once each, in order. Used by `edgewise chat`.
 */
import { backoffMs } from "../live-feed";
import { parseFrame, type StreamEvent } from "./chat-api";

export type StreamOptions = {
  /** The WebSocket URL with a fresh ticket; throws to stop the stream (e.g. credentials refused). */
  connectUrl: () => Promise<string>;
  retryable: (error: unknown) => boolean;
  /** Deliver the events after this seq. */
  after: number;
  onEvent: (event: StreamEvent) => void;
  onStatus: (message: string) => void;
};

const WELCOME_TIMEOUT_MS = 15_000;
const PING = JSON.stringify({ type: "ping" });

type Outcome = { welcomed: boolean; reason: string };

export class SessionStream {
  readonly #options: StreamOptions;
  #lastSeq: number;
  #stopped = false;
  #socket: WebSocket | undefined;
  #wake: (() => void) | undefined;

  constructor(options: StreamOptions) {
    this.#options = options;
    this.#lastSeq = options.after;
  }

  get lastSeq(): number {
    return this.#lastSeq;
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
        this.#options.onStatus(`cannot reach the session (${describe(error)}); retrying in ${seconds(delay)}`);
        await this.#sleep(delay);
        continue;
      }
      if (this.#stopped) return;
      const outcome = await this.#connect(url);
      if (this.#stopped) return;
      if (outcome.welcomed) attempt = 0;
      const delay = backoffMs(attempt++);
      this.#options.onStatus(`stream lost (${outcome.reason}); resuming after #${this.#lastSeq} in ${seconds(delay)}`);
      await this.#sleep(delay);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    try {
      this.#socket?.close(1000, "client stopped");
    } catch {
      // Never opened.
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

  /** One connection, from open to close; resolves (never rejects) with how it ended. */
  #connect(ticketUrl: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const url = new URL(ticketUrl);
      url.searchParams.set("after", String(this.#lastSeq));
      const socket = new WebSocket(url);
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
        if (!frame || this.#stopped) return;
        if (frame.type === "welcome" && !welcomed) {
          welcomed = true;
          clearTimeout(welcomeTimer);
          heartbeat = setInterval(() => {
            if (Date.now() - lastHeard > 2 * frame.heartbeat_ms + 5_000) settle("heartbeat lost");
            else socket.send(PING);
          }, frame.heartbeat_ms);
        } else if (frame.type === "event" && frame.event.seq > this.#lastSeq) {
          // Replays can overlap what was delivered; seqs only grow.
          this.#lastSeq = frame.event.seq;
          this.#options.onEvent(frame.event);
        } else if (frame.type === "replay_gap") {
          this.#options.onStatus(
            `events #${frame.requested_after + 1}–#${frame.oldest_available - 1} were pruned before we caught up`,
          );
        } else if (frame.type === "error") {
          this.#options.onStatus(`server says: ${frame.message} (${frame.code})`);
        }
      });
      socket.addEventListener("close", (event) => {
        settle(welcomed ? `code ${event.code}${event.reason ? `, ${event.reason}` : ""}` : "connection refused");
      });
      socket.addEventListener("error", () => {});
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
