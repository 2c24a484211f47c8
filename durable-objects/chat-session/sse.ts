/**
 * Server-Sent Events out of a ChatSession: each stream first replays the stored
 * events after the client's seq, then carries live ones. `id:` is the event's seq,
 * so EventSource resumes by itself with Last-Event-ID. A comment line every 15 s
 * keeps idle connections open through proxies.
 */
import type { StreamEvent } from "./protocol";

const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

export function sseFrame(event: StreamEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

export class SseStreams {
  #writers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #keepalive: ReturnType<typeof setInterval> | undefined;

  get size(): number {
    return this.#writers.size;
  }

  /** A byte stream that starts with `replay` (after a gap notice, if any) and then follows live events. */
  open(replay: StreamEvent[], gap: { requestedAfter: number; oldest: number } | null): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    let head = "retry: 2000\n\n";
    if (gap) {
      head += `event: replay_gap\ndata: ${JSON.stringify({ requested_after: gap.requestedAfter, oldest_available: gap.oldest })}\n\n`;
    }
    this.#write(writer, head + replay.map(sseFrame).join(""));
    this.#writers.add(writer);
    writer.closed.then(
      () => this.#drop(writer),
      () => this.#drop(writer),
    );
    this.#keepalive ??= setInterval(() => this.#broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    return readable;
  }

  send(event: StreamEvent): void {
    if (this.#writers.size) this.#broadcast(sseFrame(event));
  }

  closeAll(): void {
    for (const writer of this.#writers) writer.close().catch(() => {});
    this.#writers.clear();
    this.#stopKeepalive();
  }

  #broadcast(text: string): void {
    for (const writer of this.#writers) this.#write(writer, text);
  }

  #write(writer: WritableStreamDefaultWriter<Uint8Array>, text: string): void {
    writer.write(encoder.encode(text)).catch(() => this.#drop(writer));
  }

  #drop(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.#writers.delete(writer);
    if (this.#writers.size === 0) this.#stopKeepalive();
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }
}
