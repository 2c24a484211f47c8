/** One outbox message: subject, kind, status and its text with links made clickable. */
import type { OutboxMessage } from "../api/types";
import { formatDateTime } from "../ui/format";
import { isAppHref, Link } from "../ui/router";

const URL_PATTERN = /(https?:\/\/[^\s]+)/g;

const KIND_LABELS: Record<string, string> = { verify_email: "Verification", reset_password: "Password reset" };

export function MessageCard({ message }: { message: OutboxMessage }) {
  return (
    <article className="mail" data-testid="outbox-message" data-kind={message.kind}>
      <header className="mail-header">
        <div>
          <h3>{message.subject}</h3>
          <p className="muted small">
            To {message.to} · {formatDateTime(message.created_at)}
          </p>
        </div>
        <div className="inline-actions">
          <span className="badge">{KIND_LABELS[message.kind] ?? message.kind}</span>
          <span className={`badge ${message.status === "sent" ? "badge-success" : "badge-muted"}`}>
            {message.status}
          </span>
        </div>
      </header>
      <div className="mail-body">
        <MailText text={message.text} kind={message.kind} />
      </div>
    </article>
  );
}

function MailText({ text, kind }: { text: string; kind: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <p>
      {parts.map((part, index) => {
        // split() with a capture group puts the matches at odd indexes.
        if (index % 2 === 0) return part;
        const key = `${index}-${part}`;
        if (!isAppHref(part)) {
          return (
            <a key={key} href={part} rel="noreferrer">
              {part}
            </a>
          );
        }
        const url = new URL(part);
        return (
          <Link key={key} to={url.pathname + url.search} data-testid={`mail-link-${kind}`}>
            {part}
          </Link>
        );
      })}
    </p>
  );
}
