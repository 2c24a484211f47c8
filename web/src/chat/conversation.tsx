/**
 * The open chat: a header (title, agent, live status, the session's tokens and
 * cost, rename / end / delete), the conversation with its tool cards, and the composer.
 */
import { Fragment, useEffect, useRef } from "react";
import { describeError } from "../api/errors";
import { Alert, Button, Spinner } from "../ui/form";
import { Composer } from "./composer";
import { ConversationHeader } from "./conversation-header";
import { MessageItem, TurnTotalsLine } from "./message-item";
import type { Entry } from "./transcript";
import { useChat } from "./use-chat";

/** The last entry of each turn, where the turn's totals go. */
function turnEnds(entries: Entry[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const entry of entries) if (entry.turnId) last.set(entry.turnId, entry.id);
  return new Map([...last].map(([turn, id]) => [id, turn]));
}

/** Keeps the newest message in view (after every render) while the reader is at the bottom. */
function useStickToBottom() {
  const ref = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const list = ref.current;
    if (list && atBottom.current) list.scrollTop = list.scrollHeight;
  });
  const onScroll = () => {
    const list = ref.current;
    if (list) atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  };
  return { ref, onScroll };
}

type ConversationProps = { sessionId: string; agentName: (agentId: string) => string; onChanged: () => void };

export function Conversation({ sessionId, agentName, onChanged }: ConversationProps) {
  const chat = useChat(sessionId, onChanged);
  const { transcript, detail } = chat;
  const scroll = useStickToBottom();
  const ends = turnEnds(transcript.entries);

  if (chat.loadError) return <Alert kind="error">{describeError(chat.loadError)}</Alert>;
  if (!detail) return <Spinner label="Opening the conversation…" />;
  const agent = agentName(detail.agent_id);

  const turn = transcript.turn;
  const disabled = transcript.ended || detail.status === "ended" ? "This session has ended; start a new chat." : null;

  return (
    <section className="card conversation" data-testid="conversation" data-session-id={sessionId}>
      <ConversationHeader chat={chat} detail={detail} agentName={agent} onChanged={onChanged} />
      {chat.notice && chat.status !== "connected" ? (
        <Alert kind="warning">
          {chat.notice}
          <Button variant="secondary" size="sm" className="alert-action" onClick={chat.reconnect}>
            Retry now
          </Button>
        </Alert>
      ) : null}
      {chat.notice && chat.status === "connected" ? <Alert kind="info">{chat.notice}</Alert> : null}
      <ol className="messages" ref={scroll.ref} onScroll={scroll.onScroll} data-testid="messages" aria-live="polite">
        {chat.olderCursor ? (
          <li className="messages-older">
            <Button variant="ghost" size="sm" onClick={() => void chat.loadOlder()}>
              Load earlier messages
            </Button>
          </li>
        ) : null}
        {transcript.entries.length === 0 ? (
          <li className="empty">Say hello to {agent}. Its answers stream in here, tool calls included.</li>
        ) : null}
        {transcript.entries.map((entry) => {
          const turnId = ends.get(entry.id);
          const totals = turnId ? transcript.totals[turnId] : undefined;
          return (
            <Fragment key={entry.id}>
              <MessageItem entry={entry} tools={transcript.tools} onDecide={chat.decide} />
              {totals ? (
                <li className="turn-totals-row">
                  <TurnTotalsLine totals={totals} />
                </li>
              ) : null}
            </Fragment>
          );
        })}
        {turn?.status === "running" ? (
          <li className="turn-working muted small" data-testid="turn-running">
            <span className="spinner" aria-hidden="true" /> {agent} is working…
          </li>
        ) : null}
        {turn?.status === "awaiting_approval" ? (
          <li className="turn-working small" data-testid="turn-awaiting">
            Waiting for your approval of a tool call.
          </li>
        ) : null}
      </ol>
      <Composer disabled={disabled} turnId={turn?.id ?? null} onSend={chat.send} onCancel={chat.cancel} />
    </section>
  );
}
