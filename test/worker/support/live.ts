/**
 * Helpers for live-hub tests: open a WebSocket through the Worker's public fetch
 * handler and read its frames in order, waiting (bounded) for the one a test
 * expects. Also reads /metrics samples, which settle after each request's waitUntil.
 */
import { exports } from "cloudflare:workers";
import { BASE, call, json, type TestUser } from "./api";

export type Frame = { type: string; [key: string]: unknown };
export type EventFrame = { type: "event"; event: { id: number; type: string; ts: string; data: unknown } };

const isEvent = (frame: Frame): frame is Frame & EventFrame => frame.type === "event";

/** One client socket: every frame it received, in order, and a way to wait for the next ones. */
export class LiveSocket {
  readonly frames: Frame[] = [];
  closed = false;
  closeCode: number | undefined;
  closeReason: string | undefined;
  #read = 0;
  #wake: (() => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (message) => {
      this.frames.push(JSON.parse(String(message.data)) as Frame);
      this.#wake?.();
    });
    ws.addEventListener("close", (event) => {
      this.closed = true;
      this.closeCode = event.code;
      this.closeReason = event.reason;
      this.#wake?.();
    });
    ws.accept();
  }

  /** The next unread frame matching `predicate` (earlier unread frames are skipped), or a timeout error. */
  async next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 2_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#read < this.frames.length) {
        const frame = this.frames[this.#read++]!;
        if (predicate(frame)) return frame;
      }
      if (this.closed) throw new Error(`socket closed; frames: ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  nextOfType(type: string, timeoutMs?: number) {
    return this.next((frame) => frame.type === type, timeoutMs);
  }

  /** The next event frame of `eventType`. */
  async nextEvent(eventType: string, timeoutMs?: number) {
    const frame = await this.next((f) => isEvent(f) && f.event.type === eventType, timeoutMs);
    return (frame as Frame & EventFrame).event;
  }

  /** Every event frame received so far. */
  events() {
    return this.frames.filter(isEvent).map((frame) => frame.event);
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * A round trip through the hub: frames are handled in order, so once the pong is
   * back every event the hub sent this socket earlier has arrived.
   */
  async sync() {
    this.send({ type: "ping", sync: true });
    await this.nextOfType("pong");
  }

  close() {
    if (!this.closed) this.ws.close(1000, "done");
  }

  /** Resolves once the server has closed this socket (bounded), with its code and reason. */
  async closedByServer(timeoutMs = 2_000): Promise<{ code: number | undefined; reason: string | undefined }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("the server did not close the socket");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { code: this.closeCode, reason: this.closeReason };
  }
}

export type UpgradeOptions = { ticket?: string; token?: string; query?: Record<string, string> };

/** GET /api/v1/ws with an upgrade header; returns the raw response (101 with a socket, or an error). */
export function upgrade(options: UpgradeOptions = {}): Promise<Response> {
  const url = new URL(`${BASE}/api/v1/ws`);
  if (options.ticket) url.searchParams.set("ticket", options.ticket);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers = new Headers({ upgrade: "websocket" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  return exports.default.fetch(new Request(url, { headers }));
}

export async function ticketFor(user: TestUser): Promise<string> {
  const res = await call("/api/v1/ws/ticket", { method: "POST", token: user.accessToken });
  if (res.status !== 201) throw new Error(`ticket failed: ${res.status} ${await res.text()}`);
  return (await json<{ ticket: string }>(res)).ticket;
}

/** A connected socket for `user` (through a fresh one-time ticket), after its welcome frame. */
export async function connect(user: TestUser, query: Record<string, string> = {}) {
  const res = await upgrade({ ticket: await ticketFor(user), query });
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const socket = new LiveSocket(res.webSocket);
  const welcome = await socket.nextOfType("welcome");
  return { socket, welcome };
}

/** POST /api/v1/events as `user`; returns the published event. */
export async function publishMessage(user: TestUser, text: string) {
  const res = await call("/api/v1/events", { token: user.accessToken, body: { type: "user.message", data: { text } } });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  return (await json<{ event: EventFrame["event"] }>(res)).event;
}

export const METRICS_TOKEN = "test-metrics-token";

export async function scrape(): Promise<string> {
  const res = await call("/metrics", { token: METRICS_TOKEN });
  if (res.status !== 200) throw new Error(`scrape failed: ${res.status}`);
  return res.text();
}

/** The value of one sample line (`name{labels} value`), 0 when the series does not exist yet. */
export function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Scrapes until `read(text)` satisfies `done` (metrics land in the MetricsHub from
 * each request's waitUntil), at most `timeoutMs`; returns the last value read.
 */
export async function settle<T>(read: (text: string) => T, done: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value = read(await scrape());
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = read(await scrape());
  }
  return value;
}

/** A value read twice in a row the same, so no flush of an earlier request is still on its way. */
export async function steady<T>(read: (text: string) => T): Promise<T> {
  let previous = read(await scrape());
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const value = read(await scrape());
    if (JSON.stringify(value) === JSON.stringify(previous)) return value;
    previous = value;
  }
  return previous;
}
