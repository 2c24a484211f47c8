/**
 * Cron arithmetic with time zones, on cron-parser (a maintained library, with
 * luxon underneath for zones and DST). Expressions have 5 fields, or 6 with
 * seconds first; `@daily`-style names work. All times are epoch ms; "after" is
 * exclusive, so the tick at `after` itself is never returned twice.
 */
import { CronExpressionParser } from "cron-parser";

export type CronCheck = { ok: true } | { ok: false; message: string };

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function checkCron(expression: string, timezone: string): CronCheck {
  if (!isTimeZone(timezone)) return { ok: false, message: `Unknown time zone ${timezone}` };
  try {
    CronExpressionParser.parse(expression, { tz: timezone, strict: false }).next();
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** The next `count` ticks strictly after `after`. */
export function nextTicks(expression: string, timezone: string, after: number, count: number): number[] {
  const interval = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(after) });
  const ticks: number[] = [];
  while (ticks.length < count && interval.hasNext()) {
    const tick = interval.next().getTime();
    if (tick > after) ticks.push(tick);
  }
  return ticks;
}

export function nextTick(expression: string, timezone: string, after: number): number | null {
  return nextTicks(expression, timezone, after, 1)[0] ?? null;
}

/** The newest tick at or before `at`. */
export function latestTick(expression: string, timezone: string, at: number): number | null {
  const interval = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(at + 1) });
  if (!interval.hasPrev()) return null;
  const tick = interval.prev().getTime();
  return tick <= at ? tick : null;
}

/** How many ticks fall in [from, to], counting up to `cap`. */
export function countTicks(expression: string, timezone: string, from: number, to: number, cap: number): number {
  const interval = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(from - 1) });
  let count = 0;
  while (count < cap && interval.hasNext()) {
    const tick = interval.next().getTime();
    if (tick > to) break;
    if (tick >= from) count++;
  }
  return count;
}
