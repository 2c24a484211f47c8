/**
 * UTC calendar days as usage rows key them (`YYYY-MM-DD`): today, the first of the
 * month, and the days of a range. Pure helpers for the ledger and the usage routes.
 */

const DAY_MS = 86_400_000;

export function utcDay(ms: number = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** True for a real calendar date written `YYYY-MM-DD` (so not 2025-02-30). */
export function isDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) && utcDay(Date.parse(text)) === text;
}

export function addDays(day: string, days: number): string {
  return utcDay(Date.parse(day) + days * DAY_MS);
}

/** Days from `from` to `to`, both included; `to` must not be before `from`. */
export function daysBetween(from: string, to: string): string[] {
  const count = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  return Array.from({ length: Math.max(count, 0) }, (_, i) => addDays(from, i));
}
