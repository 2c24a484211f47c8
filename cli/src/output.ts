/**
 * Everything the CLI shows: results on stdout (aligned tables, or JSON with
 * --json), notices and progress on stderr so pipes stay clean. `startProgress`
 * draws a spinner or a progress bar, only when stderr is a terminal.
 */

type Sink = { write(chunk: string): unknown; isTTY?: boolean; columns?: number };

export function printJson(value: unknown, out: Sink = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text: string, out: Sink = process.stdout): void {
  out.write(`${text}\n`);
}

/** A line for the person at the terminal, never for a pipe reading stdout. */
export function notice(text: string, err: Sink = process.stderr): void {
  err.write(`${text}\n`);
}

/** Columns padded to their widest cell; the last column is left ragged. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** `name  value` lines with the names padded to line up, indented under a heading. */
export function renderPairs(pairs: readonly (readonly [string, string])[], indent = "  "): string {
  const width = Math.max(0, ...pairs.map(([name]) => name.length));
  return pairs.map(([name, value]) => `${indent}${name.padEnd(width)}  ${value}`.trimEnd()).join("\n");
}

/** `2026-11-22 03:05` (UTC), or a dash for "never". */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace("T", " ")}Z`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 80;

export type ProgressOptions = {
  label: string;
  /** Known total → a bar with percent and ETA; unknown → a spinner with a count. */
  total?: number;
  unit?: "bytes" | "items";
  stream?: Sink;
  now?: () => number;
};

/** A spinner or bar on one stderr line; `succeed`/`fail` replace it with a final line. */
export class Progress {
  readonly #options: Required<Omit<ProgressOptions, "total">>;
  readonly #live: boolean;
  readonly #started: number;
  #total: number | undefined;
  #done = 0;
  #frame = 0;
  #lastDraw = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ProgressOptions) {
    this.#options = { unit: "items", stream: process.stderr, now: Date.now, ...options };
    this.#live = this.#options.stream.isTTY === true;
    this.#total = options.total;
    this.#started = this.#options.now();
    if (this.#live) {
      // The spinner turns even when no update arrives (a stalled upload is still visibly alive).
      this.#timer = setInterval(() => this.#draw(true), REDRAW_MS);
      this.#timer.unref();
      this.#draw(true);
    }
  }

  update(done: number, total?: number): void {
    this.#done = done;
    if (total !== undefined) this.#total = total;
    this.#draw(false);
  }

  advance(delta = 1): void {
    this.update(this.#done + delta);
  }

  succeed(message?: string): void {
    this.#finish(message === undefined ? undefined : `✔ ${message}`);
  }

  fail(message?: string): void {
    this.#finish(message === undefined ? undefined : `✖ ${message}`);
  }

  /** The line as it would be drawn now (exported for tests and for non-TTY summaries). */
  render(): string {
    const { label, unit, now } = this.#options;
    const amount = (n: number) => (unit === "bytes" ? formatBytes(n) : String(n));
    const elapsed = Math.max((now() - this.#started) / 1000, 0.001);
    const rate = this.#done / elapsed;
    const speed = unit === "bytes" ? ` ${formatBytes(Math.round(rate))}/s` : "";
    if (!this.#total) return `${SPINNER[this.#frame % SPINNER.length]} ${label} ${amount(this.#done)}${speed}`;
    const ratio = Math.min(this.#done / this.#total, 1);
    const width = 24;
    const filled = Math.round(ratio * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const eta = rate > 0 && ratio < 1 ? ` ETA ${Math.ceil((this.#total - this.#done) / rate)}s` : "";
    const percent = `${Math.floor(ratio * 100)}`.padStart(3);
    return `${label} ${bar} ${percent}% ${amount(this.#done)}/${amount(this.#total)}${speed}${eta}`;
  }

  #draw(tick: boolean): void {
    if (!this.#live) return;
    const now = this.#options.now();
    if (!tick && now - this.#lastDraw < REDRAW_MS) return;
    if (tick) this.#frame++;
    this.#lastDraw = now;
    const columns = this.#options.stream.columns ?? 80;
    this.#options.stream.write(`\r\x1b[2K${this.render().slice(0, columns - 1)}`);
  }

  #finish(line: string | undefined): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#live) this.#options.stream.write("\r\x1b[2K");
    if (line !== undefined) this.#options.stream.write(`${line}\n`);
  }
}

export function startProgress(options: ProgressOptions): Progress {
  return new Progress(options);
}

/** Runs `work` under a spinner/bar and clears it whatever happens; `done(result)` gives a final ✔ line. */
export async function withProgress<T>(
  options: ProgressOptions & { done?: (result: T) => string },
  work: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = startProgress(options);
  try {
    const result = await work(progress);
    progress.succeed(options.done?.(result));
    return result;
  } catch (error) {
    progress.fail();
    throw error;
  }
}
