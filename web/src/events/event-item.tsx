/** One event in the feed: its type, number and time, a readable summary, and the raw data on demand. */
import type { HubEvent } from "../api/types";
import { formatDateTime, formatTime } from "../ui/format";
import { summarize } from "./summaries";

export function EventItem({ event }: { event: HubEvent }) {
  const topic = event.type.split(".")[0] ?? "other";
  return (
    <li className="feed-item" data-testid="feed-event" data-type={event.type}>
      <div className="feed-meta">
        <span className={`event-type topic-${topic}`}>{event.type}</span>
        <span className="feed-summary">{summarize(event)}</span>
        <time className="muted small nowrap" dateTime={event.ts} title={formatDateTime(event.ts)}>
          {formatTime(event.ts)}
        </time>
      </div>
      <details className="feed-details">
        <summary>Event #{event.id} · data</summary>
        <pre className="feed-data">{JSON.stringify(event.data, null, 2)}</pre>
      </details>
    </li>
  );
}
