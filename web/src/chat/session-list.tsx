/** The chat page's left column: start a chat with one of your agents, and your sessions, newest first. */
import { type FormEvent, useState } from "react";
import type { Agent } from "../agents/types";
import { Button } from "../ui/form";
import { formatDateTime, formatRelative } from "../ui/format";
import { PagedList } from "../ui/paged-list";
import { Link } from "../ui/router";
import type { usePages } from "../ui/use-pages";
import { formatMicros } from "../usage/format";
import type { ChatSession } from "./types";

type SessionListProps = {
  sessions: ReturnType<typeof usePages<ChatSession>>;
  agents: Agent[] | null;
  selected: string | null;
  agentName: (id: string) => string;
  onStart: (agentId: string) => void;
};

export function SessionList({ sessions, agents, selected, agentName, onStart }: SessionListProps) {
  return (
    <aside className="card session-list">
      <NewChat agents={agents} onStart={onStart} />
      <PagedList pages={sessions} loadingLabel="Loading sessions…" empty="No chats yet.">
        {(items) => (
          <ul className="sessions" data-testid="session-list">
            {items.map((session) => (
              <li key={session.id}>
                <Link
                  to={`/chat?session=${encodeURIComponent(session.id)}`}
                  className={`session-link${session.id === selected ? " active" : ""}`}
                  aria-current={session.id === selected ? "page" : undefined}
                  data-testid="session-link"
                  data-session-id={session.id}
                >
                  <span className="session-title">{session.title}</span>
                  <span className="muted small">
                    {agentName(session.agent_id)} · {session.message_count} msg · {formatMicros(session.cost_micros)}
                  </span>
                  <span className="muted small" title={formatDateTime(session.last_message_at ?? session.created_at)}>
                    {session.status === "ended" ? "ended · " : ""}
                    {formatRelative(session.last_message_at ?? session.created_at)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </aside>
  );
}

function NewChat({ agents, onStart }: { agents: Agent[] | null; onStart: (agentId: string) => void }) {
  const active = (agents ?? []).filter((agent) => agent.active);
  const [choice, setChoice] = useState("");
  const agentId = choice || active[0]?.id || "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (agentId) onStart(agentId);
  };

  if (agents !== null && active.length === 0) {
    return (
      <div className="new-chat">
        <p className="muted small">
          You have no active agent yet. <Link to="/agents/templates">Create one from a template</Link>.
        </p>
      </div>
    );
  }
  return (
    <form className="new-chat" onSubmit={submit}>
      <select
        aria-label="Agent"
        value={agentId}
        onChange={(e) => setChoice(e.target.value)}
        data-testid="new-chat-agent"
      >
        {active.map((agent) => (
          <option key={agent.id} value={agent.id}>
            {agent.name}
          </option>
        ))}
      </select>
      <Button type="submit" size="sm" disabled={!agentId} data-testid="new-chat">
        New chat
      </Button>
    </form>
  );
}
