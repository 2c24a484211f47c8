/**
 * Hybrid logical clocks: wall time in ms, a counter for events within one ms (or
 * while wall time lags a clock already seen), and the node that ticked. Encoded as
 * a fixed-width string, so comparing two encoded HLCs as strings orders them.
 * Devices tick one per change; the sync authority ticks for its own writes and
 * folds in every clock it receives. Last-writer-wins compares these.
 */

export const HLC_PATTERN = /^\d{15}:\d{6}:[A-Za-z0-9_-]{1,64}$/;
const MAX_COUNTER = 999_999;

export type Hlc = { wall: number; counter: number; node: string };

export function formatHlc({ wall, counter, node }: Hlc): string {
  return `${String(wall).padStart(15, "0")}:${String(counter).padStart(6, "0")}:${node}`;
}

export function parseHlc(text: string): Hlc | null {
  if (!HLC_PATTERN.test(text)) return null;
  const [wall, counter, node] = text.split(":") as [string, string, string];
  return { wall: Number(wall), counter: Number(counter), node };
}

/** Later of two encoded HLCs (either may be null). */
export function maxHlc(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** A node's clock. `now` is injectable so simulations run on their own time. */
export class HlcClock {
  #last: Hlc;

  constructor(
    readonly node: string,
    private readonly now: () => number = Date.now,
    last?: string | null,
  ) {
    this.#last = (last && parseHlc(last)) || { wall: 0, counter: 0, node };
  }

  /** The clock's latest value, to persist. */
  get last(): string {
    return formatHlc(this.#last);
  }

  /** A new timestamp, later than every one this clock has issued or received. */
  tick(): string {
    const wall = Math.max(this.now(), this.#last.wall);
    this.#last = this.#advance(wall, wall === this.#last.wall ? this.#last.counter + 1 : 0);
    return formatHlc(this.#last);
  }

  /** Folds in a timestamp from elsewhere, so the next tick orders after it. */
  receive(remote: string): void {
    const other = parseHlc(remote);
    if (!other) return;
    const wall = Math.max(this.#last.wall, other.wall);
    let counter = 0;
    if (wall === this.#last.wall && wall === other.wall) counter = Math.max(this.#last.counter, other.counter);
    else if (wall === this.#last.wall) counter = this.#last.counter;
    else counter = other.counter;
    this.#last = this.#advance(wall, counter);
  }

  #advance(wall: number, counter: number): Hlc {
    // A counter overflow borrows a millisecond from the future rather than reusing a value.
    return counter > MAX_COUNTER ? { wall: wall + 1, counter: 0, node: this.node } : { wall, counter, node: this.node };
  }
}
