/** Money and token counts as the chat and usage pages show them. */

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat();

/** "$0", "$0.000123" (small amounts keep their precision), "$1.2345", "$1,234.57". */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(6)}`;
  if (Math.abs(usd) < 100) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const formatMicros = (micros: number) => formatUsd(micros / 1_000_000);

/** 950, 12,345 — or 1.2M with `short`. */
export function formatTokens(tokens: number, short = false): string {
  return short && tokens >= 10_000 ? compact.format(tokens) : whole.format(tokens);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
