/**
 * Server-Sent Events out of a ChatSession: each stream first replays the stored
 * events after the client's seq, then carries live ones. `id:` is the event's seq,
 * so EventSource resumes by itself with Last-Event-ID. A comment line every 15 s
 * keeps idle connections open through proxies.
 */
import type { StreamEvent } from "../../shared/chat-session/protocol";

const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

export function sseFrame(event: StreamEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

type Client = ReadableStreamDefaultController<Uint8Array>;

export class SseStreams {
  #clients = new Set<Client>();
  #keepalive: ReturnType<typeof setInterval> | undefined;

  /**
   * A byte stream that starts with `replay` (after a gap notice, if any) and then
   * follows live events; when the client goes away its `cancel` drops it at once.
   */
  open(replay: StreamEvent[], gap: { requestedAfter: number; oldest: number } | null): ReadableStream<Uint8Array> {
    let head = "retry: 2000\n\n";
    if (gap) {
      head += `event: replay_gap\ndata: ${JSON.stringify({ requested_after: gap.requestedAfter, oldest_available: gap.oldest })}\n\n`;
    }
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        client = controller;
        controller.enqueue(encoder.encode(head + replay.map(sseFrame).join("")));
        this.#clients.add(controller);
      },
      cancel: () => {
        if (client) this.#drop(client);
      },
    });
    this.#keepalive ??= setInterval(() => this.#broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    return stream;
  }

  send(event: StreamEvent): void {
    if (this.#clients.size) this.#broadcast(sseFrame(event));
  }

  closeAll(): void {
    for (const client of this.#clients) {
      try {
        client.close();
      } catch {
        // Already cancelled.
      }
    }
    this.#clients.clear();
    this.#stopKeepalive();
  }

  #broadcast(text: string): void {
    const bytes = encoder.encode(text);
    for (const client of this.#clients) {
      try {
        client.enqueue(bytes);
      } catch {
        this.#drop(client);
      }
    }
  }

  #drop(client: Client): void {
    this.#clients.delete(client);
    if (this.#clients.size === 0) this.#stopKeepalive();
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }
}
