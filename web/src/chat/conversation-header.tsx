/** The conversation's header: title (rename in place), agent, live status, session totals, end and delete. */
import { type FormEvent, useState } from "react";
import { describeError } from "../api/errors";
import { Button } from "../ui/form";
import { navigate } from "../ui/router";
import { formatMicros, formatTokens } from "../usage/format";
import { sessionsApi } from "./api";
import type { SocketStatus } from "./session-socket";
import type { SessionDetail } from "./types";
import type { useChat } from "./use-chat";

const STATUS_LABELS: Record<SocketStatus, string> = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

type HeaderProps = {
  chat: ReturnType<typeof useChat>;
  detail: SessionDetail;
  agentName: string;
  onChanged: () => void;
};

export function ConversationHeader({ chat, detail, agentName, onChanged }: HeaderProps) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (action: () => Promise<unknown>, after?: () => void) => {
    setError(null);
    try {
      await action();
      chat.refreshDetail();
      onChanged();
      after?.();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const rename = (event: FormEvent) => {
    event.preventDefault();
    const title = renaming?.trim();
    if (title)
      void act(
        () => sessionsApi.rename(detail.id, title),
        () => setRenaming(null),
      );
  };

  return (
    <header className="conversation-header">
      <div className="conversation-title">
        {renaming === null ? (
          <h2 data-testid="chat-title">{detail.title}</h2>
        ) : (
          <form className="inline-actions" onSubmit={rename}>
            <input aria-label="Title" value={renaming} maxLength={200} onChange={(e) => setRenaming(e.target.value)} />
            <Button type="submit" size="sm">
              Save
            </Button>
          </form>
        )}
        <span className="muted small">
          with <strong>{agentName}</strong> ·{" "}
          <span data-testid="session-totals">
            {formatTokens(detail.input_tokens + detail.output_tokens)} tokens · {formatMicros(detail.cost_micros)}
          </span>
          {detail.status === "ended" ? <span className="badge badge-muted session-ended">ended</span> : null}
        </span>
      </div>
      <div className="inline-actions">
        <span className={`status status-${chat.status}`} data-testid="chat-status" data-status={chat.status}>
          <span className="status-dot" aria-hidden="true" />
          {STATUS_LABELS[chat.status]}
        </span>
        <Button variant="ghost" size="sm" onClick={() => setRenaming(renaming === null ? detail.title : null)}>
          Rename
        </Button>
        {detail.status === "active" ? (
          <Button variant="ghost" size="sm" onClick={() => void act(() => sessionsApi.end(detail.id))}>
            End
          </Button>
        ) : null}
        {confirmDelete ? (
          <Button
            variant="danger"
            size="sm"
            onClick={() =>
              void act(
                () => sessionsApi.remove(detail.id),
                () => navigate("/chat", { replace: true }),
              )
            }
          >
            Delete for good
          </Button>
        ) : (
          <Button variant="ghost" size="sm" onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        )}
      </div>
      {error ? <p className="text-error small conversation-error">{error}</p> : null}
    </header>
  );
}
