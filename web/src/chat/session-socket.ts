/**
 * SessionSocket: the console's live connection to one chat session, over LiveSocket
 * (ticket, heartbeat, backoff). Each connection asks with `?after=<seq>` for what came
 * after the last event it delivered, so no event is missed or shown twice. Commands
 * (send, cancel, approve, reject) resolve on the server's `accepted` / `ack`, or reject
 * with its `error` frame.
 */
import {
  type ClientFrame,
  type CommandRequest,
  ServerFrame,
  type StreamEvent,
} from "../../../shared/chat-session/protocol";
import { parseJsonFrame } from "../../../shared/parse-frame";
import { ApiError } from "../api/errors";
import { LiveSocket, type LiveStatus } from "../api/live-socket";
import type { SessionTicket } from "./types";

/** A session frame, checked with the session's own schema; anything else is dropped. */
const parseFrame = (raw: unknown) => parseJsonFrame(ServerFrame, raw);

export type SocketStatus = LiveStatus;

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

const COMMAND_TIMEOUT_MS = 15_000;

export class SessionSocket {
  readonly #live: LiveSocket<ServerFrame>;
  #lastSeq: number;
  #pending = new Map<CommandRequest, Pending>();

  constructor(
    requestTicket: () => Promise<SessionTicket>,
    private readonly listener: SocketListener,
    after: number,
  ) {
    this.#lastSeq = after;
    this.#live = new LiveSocket<ServerFrame>({
      ticket: requestTicket,
      target: (url) => url.searchParams.set("after", String(this.#lastSeq)),
      parse: parseFrame,
      welcome: (frame) => (frame.type === "welcome" ? frame.heartbeat_ms : null),
      onFrame: (frame) => this.#onFrame(frame),
      onStatus: (status, notice) => listener.status(status, notice),
      // The session is gone, or the credential behind the ticket was revoked.
      fatalStatuses: [401, 403, 404],
      finalClose: (event) => event.code === 1008,
      onDetach: (reason) => this.#rejectAll(reason),
    });
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  start() {
    this.#live.start();
  }

  stop() {
    this.#live.stop("Console left the chat");
  }

  reconnectNow = () => this.#live.reconnectNow();

  /** Sends a command; resolves with the server's answer (accepted or ack), rejects with its error. */
  command(frame: Exclude<ClientFrame, { type: "resume" | "ping" }>): Promise<ServerFrame> {
    if (!this.#live.connected) return Promise.reject(new NotConnected("The live connection is not open"));
    this.#pending.get(frame.type)?.reject(new Error("superseded"));
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.#pending.delete(frame.type);
        reject(new Error("The server did not answer in time"));
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(frame.type, { resolve, reject, timer });
      this.#live.send(frame);
    });
  }

  #onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case "welcome":
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

  #rejectAll(reason: string) {
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
