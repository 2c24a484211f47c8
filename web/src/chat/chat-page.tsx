/**
 * /chat: your sessions on the left, the open conversation on the right.
 * `?session=<id>` opens one; `?agent=<id>` starts a new session with that agent
 * and switches to it.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { agentsApi } from "../agents/api";
import type { Agent } from "../agents/types";
import { describeError } from "../api/errors";
import { Alert, Spinner } from "../ui/form";
import { navigate, useLocation } from "../ui/router";
import { usePages } from "../ui/use-pages";
import { sessionsApi } from "./api";
import { Conversation } from "./conversation";
import { SessionList } from "./session-list";
import type { ChatSession } from "./types";
import "./chat.css";

const chatUrl = (sessionId: string) => `/chat?session=${encodeURIComponent(sessionId)}`;

function useAgents() {
  const [agents, setAgents] = useState<Agent[] | null>(null);
  useEffect(() => {
    agentsApi.recent().then(
      (page) => setAgents(page.items),
      () => setAgents([]),
    );
  }, []);
  return agents;
}

/** Starts a session for `?agent=`, once, and replaces the address with the new session's. */
function useStartSession(agentId: string | null, onStarted: () => void) {
  const started = useRef<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!agentId || started.current === agentId) return;
    started.current = agentId;
    setError(null);
    sessionsApi.create(agentId).then((session) => {
      onStarted();
      navigate(chatUrl(session.id), { replace: true });
    }, setError);
  }, [agentId, onStarted]);
  return error;
}

export function ChatPage() {
  const { query } = useLocation();
  const sessionId = query.get("session");
  const agentId = sessionId ? null : query.get("agent");
  const agents = useAgents();
  const loader = useCallback((cursor: string | null) => sessionsApi.list(cursor), []);
  const sessions = usePages<ChatSession>(loader);
  const startError = useStartSession(agentId, sessions.reload);
  const agentName = (id: string | undefined) => agents?.find((agent) => agent.id === id)?.name ?? "the agent";

  return (
    <div className="chat-layout">
      <SessionList
        sessions={sessions}
        agents={agents}
        selected={sessionId}
        agentName={agentName}
        onStart={(id) => navigate(`/chat?agent=${encodeURIComponent(id)}`)}
      />
      <div className="chat-main">
        {startError ? <Alert kind="error">{describeError(startError)}</Alert> : null}
        {agentId && !startError ? <Spinner label="Starting a new chat…" /> : null}
        {sessionId ? (
          <Conversation key={sessionId} sessionId={sessionId} agentName={agentName} onChanged={sessions.reload} />
        ) : null}
        {!sessionId && !agentId ? (
          <section className="card card-padded chat-empty">
            <h2>Chat with an agent</h2>
            <p className="muted">
              Pick a session on the left, or start a new one. With the offline model no API key is needed: type{" "}
              <code>/calculator {'{"expression":"6*7"}'}</code> to run a tool directly.
            </p>
          </section>
        ) : null}
      </div>
    </div>
  );
}
