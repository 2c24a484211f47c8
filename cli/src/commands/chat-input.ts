/**
 * The terminal side of `edgewise chat`: one readline on stdin (prompts on stderr,
 * so stdout keeps only answers) that reads the next message and asks y/n for
 * approvals. `ask` resolves null once input ends (Ctrl-D) or the reader is closed.
 */
import { createInterface, type Interface } from "node:readline";

export class LineReader {
  readonly #rl: Interface;
  #closed = false;
  #waiting: ((line: string | null) => void) | null = null;

  constructor() {
    this.#rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    this.#rl.on("close", () => {
      this.#closed = true;
      this.#waiting?.(null);
      this.#waiting = null;
    });
  }

  ask(prompt: string): Promise<string | null> {
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#rl.question(prompt, (line) => {
        this.#waiting = null;
        resolve(line);
      });
    });
  }

  /** On a terminal Ctrl-C reaches readline, not the process: pass it on. */
  onInterrupt(handler: () => void): void {
    this.#rl.on("SIGINT", handler);
  }

  close(): void {
    if (!this.#closed) this.#rl.close();
  }
}
