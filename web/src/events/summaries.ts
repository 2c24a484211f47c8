/**
 * One readable line per event type for the feed (the raw data stays one click
 * away). Types come from worker/features/events/catalog.ts; unknown ones, and
 * data that does not have the expected shape, fall back to compact JSON.
 */
import { isRecord } from "../api/errors";
import type { HubEvent } from "../api/types";

type Data = Record<string, unknown>;

const str = (data: Data, key: string) => (typeof data[key] === "string" ? data[key] : undefined);
const shortId = (id: string | undefined) => (id ? `${id.slice(0, 8)}…` : "unknown");

const SUMMARIES: Record<string, (data: Data) => string | undefined> = {
  "auth.login": (d) =>
    `Signed in from ${str(d, "ip") ?? "an unknown address"} (session ${shortId(str(d, "session_id"))})`,
  "auth.logout": (d) => `Signed out of session ${shortId(str(d, "session_id"))}`,
  "auth.session_revoked": (d) =>
    `Session ${shortId(str(d, "session_id"))} ended: ${(str(d, "reason") ?? "revoked").replaceAll("_", " ")}`,
  "account.updated": (d) =>
    `Profile changed${Array.isArray(d.fields) ? `: ${d.fields.filter((f) => typeof f === "string").join(", ")}` : ""}`,
  "apikey.created": (d) => {
    const scopes = Array.isArray(d.scopes) ? d.scopes.length : 0;
    return `API key “${str(d, "name")}” created (${str(d, "prefix")}…, ${scopes} scope${scopes === 1 ? "" : "s"})`;
  },
  "apikey.revoked": (d) => `API key “${str(d, "name")}” revoked`,
  "user.message": (d) => str(d, "text"),
  "file.extracted": (d) => {
    const count = (key: string, unit: string) =>
      typeof d[key] === "number" ? `, ${d[key]} ${unit}${d[key] === 1 ? "" : "s"}` : "";
    return `Text extracted from “${str(d, "filename")}”${count("pages", "page")}${count("sheets", "sheet")}`;
  },
  "file.extraction_failed": (d) => `Could not read “${str(d, "filename")}”: ${str(d, "message") ?? "unknown reason"}`,
  "system.notice": (d) => `${(str(d, "level") ?? "info").toUpperCase()}: ${str(d, "message") ?? ""}`,
};

export function summarize(event: HubEvent): string {
  const describe = SUMMARIES[event.type];
  const line = describe && isRecord(event.data) ? describe(event.data) : undefined;
  if (line) return line;
  const json = JSON.stringify(event.data) ?? "";
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}
