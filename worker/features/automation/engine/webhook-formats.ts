/**
 * What a delivery's body looks like for each subscription kind: the event itself
 * (`webhook`), a Slack incoming-webhook message (`text` + blocks), or a Discord
 * webhook message (`content` + an embed). The one-line summary is shared with email.
 */
import type { SubscriptionKind } from "../../../db/schema";
import type { StoredEvent } from "./event-store";

const COLOURS = { ok: 0x2e7d32, bad: 0xc62828, info: 0x1565c0 } as const;

function field(data: unknown, key: string): string | undefined {
  const value = data && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** One readable line about an event. */
export function summarize(event: StoredEvent): string {
  const title = field(event.data, "title");
  const error = field(event.data, "error");
  const subject = title
    ? `Task "${title}"`
    : field(event.data, "run_id")
      ? `Workflow run ${field(event.data, "run_id")}`
      : null;
  const verb = event.type.split(".").slice(1).join(".").replaceAll("_", " ");
  if (subject) return `${subject}: ${verb}${error ? ` — ${error}` : ""}`;
  const text = JSON.stringify(event.data);
  return `${event.type}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

function tone(type: string): keyof typeof COLOURS {
  if (/failed|disabled|dead_letter|cancelled/.test(type)) return "bad";
  if (/succeeded|fired/.test(type)) return "ok";
  return "info";
}

export type DeliveryMeta = { id: string; attempt: number; replay: boolean };

export function formatBody(
  kind: Exclude<SubscriptionKind, "email">,
  event: StoredEvent,
  delivery: DeliveryMeta,
): string {
  const summary = summarize(event);
  switch (kind) {
    case "webhook":
      return JSON.stringify({ ...event, delivery });
    case "slack":
      return JSON.stringify({
        text: summary,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: summary } },
          { type: "context", elements: [{ type: "mrkdwn", text: `\`${event.type}\` · ${event.ts}` }] },
        ],
      });
    case "discord":
      return JSON.stringify({
        content: summary,
        embeds: [
          {
            title: event.type,
            description: `\`\`\`json\n${JSON.stringify(event.data, null, 2).slice(0, 3_500)}\n\`\`\``,
            timestamp: event.ts,
            color: COLOURS[tone(event.type)],
          },
        ],
      });
  }
}
