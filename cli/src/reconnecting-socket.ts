/**
 * A WebSocket that stays connected: a fresh connect URL (one-time ticket) for every
 * attempt, a welcome within 15 s, a ping every heartbeat, and after any drop a
 * reconnect with exponential backoff. What a frame means and how to resume is the
 * caller's: the live feed (live-feed.ts) and chat sessions (commands/chat-stream.ts).
 */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** A socket that says nothing for this long after opening is given up on. */
const WELCOME_TIMEOUT_MS = 15_000;
const PING = JSON.stringify({ type: "ping" });

/** Exponential backoff with jitter, so many clients cut off together do not return together. */
export function backoffMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

export type SocketOptions<F> = {
  /** A WebSocket URL with a fresh ticket; throws to stop (e.g. credentials refused). */
  connectUrl: () => Promise<string>;
  /** Whether a `connectUrl` failure is worth retrying (network, 5xx) or final (401, 403). */
  retryable: (error: unknown) => boolean;
  /** The URL to open on this attempt: `connectUrl`'s, plus what resumes where the last one stopped. */
  target: (url: string) => string;
  parse: (data: unknown) => F | null;
  /** The heartbeat interval if `frame` is the server's welcome, else null. */
  welcome: (frame: F) => number | null;
  onFrame: (frame: F) => void;
  onStatus: (message: string) => void;
  /** How a lost connection is told: "disconnected", "stream lost"… */
  lostLabel?: string;
};

type Outcome = { welcomed: boolean; reason: string };

export class ReconnectingSocket<F> {
  readonly #options: SocketOptions<F>;
  #stopped = false;
  #socket: WebSocket | undefined;
  #wake: (() => void) | undefined;

  constructor(options: SocketOptions<F>) {
    this.#options = options;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs until `stop()`; rejects only when reconnecting cannot help. */
  async run(): Promise<void> {
    const { onStatus, lostLabel = "disconnected" } = this.#options;
    for (let attempt = 0; !this.#stopped; ) {
      let url: string;
      try {
        url = await this.#options.connectUrl();
      } catch (error) {
        if (this.#stopped) return;
        if (!this.#options.retryable(error)) throw error;
        const delay = backoffMs(attempt++);
        onStatus(`cannot get a connect ticket (${describe(error)}); retrying in ${seconds(delay)}`);
        await this.#sleep(delay);
        continue;
      }
      if (this.#stopped) return;
      const outcome = await this.#connect(this.#options.target(url));
      if (this.#stopped) return;
      if (outcome.welcomed) attempt = 0;
      const delay = backoffMs(attempt++);
      onStatus(`${lostLabel} (${outcome.reason}); reconnecting in ${seconds(delay)}`);
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

  /** One connection, from open to close; resolves (never rejects) with how it ended. */
  #connect(url: string): Promise<Outcome> {
    return new Promise((resolve) => {
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
        const frame = this.#options.parse(message.data);
        // Frames already queued when stop() was called are dropped.
        if (frame === null || this.#stopped) return;
        const heartbeatMs = welcomed ? null : this.#options.welcome(frame);
        if (heartbeatMs !== null) {
          welcomed = true;
          clearTimeout(welcomeTimer);
          // Silence past two heartbeats means the connection died without a close frame.
          heartbeat = setInterval(() => {
            if (Date.now() - lastHeard > 2 * heartbeatMs + 5_000) settle("heartbeat lost");
            else socket.send(PING);
          }, heartbeatMs);
        }
        this.#options.onFrame(frame);
      });
      socket.addEventListener("close", (event) => {
        const why = welcomed ? `code ${event.code}${event.reason ? `, ${event.reason}` : ""}` : "connection refused";
        settle(why);
      });
      // An error is always followed by a close event, which does the bookkeeping.
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
