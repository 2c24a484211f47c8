/** /feed: the live event feed: connection state, a filter by topic, the events newest first, and a publish form. */
import { useState } from "react";
import { Alert, Button } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { EventItem } from "./event-item";
import { useHub } from "./hub-context";
import { PublishForm } from "./publish-form";
import { StatusBadge } from "./status-badge";

const TOPICS = ["all", "auth", "account", "apikey", "user", "system"] as const;
type TopicFilter = (typeof TOPICS)[number];

export function FeedPage() {
  const { client, snapshot } = useHub();
  const [topic, setTopic] = useState<TopicFilter>("all");
  const events = topic === "all" ? snapshot.events : snapshot.events.filter((e) => e.type.startsWith(`${topic}.`));
  const canRetry = snapshot.status === "reconnecting" || snapshot.status === "offline";

  return (
    <>
      <PageHeader
        title="Live events"
        description="Everything that happens to your account, as it happens: sign-ins, key changes, your own messages."
        actions={<StatusBadge status={snapshot.status} testId="feed-status" />}
      />
      {snapshot.notice && snapshot.status !== "connected" ? (
        <Alert kind="warning">
          {snapshot.notice}
          {canRetry ? (
            <Button variant="secondary" size="sm" className="alert-action" onClick={client.reconnectNow}>
              Retry now
            </Button>
          ) : null}
        </Alert>
      ) : null}
      {snapshot.notice && snapshot.status === "connected" ? <Alert kind="info">{snapshot.notice}</Alert> : null}
      <div className="feed-layout">
        <section className="card">
          <div className="card-header">
            <fieldset className="segmented">
              <legend className="sr-only">Filter by topic</legend>
              {TOPICS.map((name) => (
                <button
                  key={name}
                  type="button"
                  className={name === topic ? "active" : ""}
                  aria-pressed={name === topic}
                  onClick={() => setTopic(name)}
                >
                  {name === "all" ? "All" : name}
                </button>
              ))}
            </fieldset>
            <Button variant="ghost" size="sm" onClick={() => client.clearEvents()} disabled={!snapshot.events.length}>
              Clear
            </Button>
          </div>
          <ol className="feed" data-testid="feed-list" aria-live="polite">
            {events.map((event) => (
              <EventItem key={event.id} event={event} />
            ))}
          </ol>
          {events.length === 0 ? (
            <p className="empty">
              {snapshot.status === "connected"
                ? "No events yet. Create an API key or send a message, and watch it arrive here."
                : "Waiting for the live connection…"}
            </p>
          ) : null}
        </section>
        <aside className="stack">
          <PublishForm />
          <section className="card card-padded small muted">
            <h3>How it works</h3>
            <p>
              The console holds one WebSocket to your hub. If it drops, it reconnects on its own and asks for the events
              after #{snapshot.lastEventId ?? "—"}, so nothing is missed.
            </p>
          </section>
        </aside>
      </div>
    </>
  );
}
