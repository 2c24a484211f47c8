/**
 * `current_time`: now, in an IANA time zone (the input's, else the core
 * extension's `default_time_zone`, else UTC), with the zone's offset and weekday.
 */
import { z } from "zod";
import { defineTool } from "../define-tool";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, "Not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)");

function partsIn(zone: string, date: Date): Record<string, string> {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "long",
    timeZoneName: "longOffset",
  });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

export const currentTime = defineTool({
  name: "current_time",
  description: "The current date and time in a time zone (IANA name such as Europe/Berlin; default UTC).",
  input: z.object({ time_zone: TimeZone.optional() }),
  output: z.object({
    time_zone: z.string(),
    utc: z.string().describe("ISO 8601 in UTC"),
    local: z.string().describe("Local date and time, ISO 8601 with offset"),
    utc_offset: z.string(),
    weekday: z.string(),
    unix_ms: z.number().int(),
  }),
  timeoutMs: 1_000,
  async run(input, ctx) {
    const fallback = typeof ctx.config.default_time_zone === "string" ? ctx.config.default_time_zone : "UTC";
    const zone = input.time_zone ?? fallback;
    const now = new Date();
    const parts = partsIn(zone, now);
    const offset = (parts.timeZoneName ?? "GMT").replace(/^GMT$/, "GMT+00:00").replace("GMT", "");
    return {
      time_zone: zone,
      utc: now.toISOString(),
      local: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`,
      utc_offset: offset,
      weekday: parts.weekday ?? "",
      unix_ms: now.getTime(),
    };
  },
});
