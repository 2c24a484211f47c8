/**
 * One entry of the conversation: the user's message, the agent's message (its
 * streamed or final text, its tool cards, and its tokens and cost), or a notice
 * (a failed, cancelled or over-budget turn).
 */
import { formatDateTime, formatTime } from "../ui/format";
import { formatDuration, formatMicros, formatTokens } from "../usage/format";
import { RichText } from "./rich-text";
import { ToolCard } from "./tool-card";
import type { ToolCard as Card, Entry, TurnTotals, Usage } from "./transcript";

type Decide = (callId: string, decision: "approve" | "reject") => Promise<void>;

function UsageLine({ usage, model }: { usage: Usage; model: string | null }) {
  return (
    <div className="message-usage" data-testid="message-usage">
      {model ? <span className="chip chip-sm">{model}</span> : null}
      <span data-testid="message-tokens">
        {formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out tokens
      </span>
      <span data-testid="message-cost">{formatMicros(usage.costMicros)}</span>
    </div>
  );
}

export function TurnTotalsLine({ totals }: { totals: TurnTotals }) {
  return (
    <div className="turn-totals muted small" data-testid="turn-totals">
      Turn: {totals.steps} step{totals.steps === 1 ? "" : "s"}, {totals.toolCalls} tool call
      {totals.toolCalls === 1 ? "" : "s"} · {formatTokens(totals.inputTokens + totals.outputTokens)} tokens ·{" "}
      {formatMicros(totals.costMicros)} · {formatDuration(totals.responseMs)}
    </div>
  );
}

type ItemProps = { entry: Entry; tools: Record<string, Card>; onDecide: Decide };

export function MessageItem({ entry, tools, onDecide }: ItemProps) {
  if (entry.kind === "notice") {
    return (
      <li className={`chat-notice chat-notice-${entry.tone}`} data-testid="chat-notice" data-tone={entry.tone}>
        {entry.text}
      </li>
    );
  }
  if (entry.kind === "user") {
    return (
      <li className="message message-user" data-testid="message" data-role="user">
        <div className="message-bubble">
          <RichText text={entry.content} />
        </div>
        <time className="message-time" dateTime={entry.at} title={formatDateTime(entry.at)}>
          {formatTime(entry.at)}
        </time>
      </li>
    );
  }
  const cards = entry.calls.flatMap((id) => (tools[id] ? [tools[id]] : []));
  const empty = !entry.text && cards.length > 0;
  return (
    <li
      className="message message-assistant"
      data-testid="message"
      data-role="assistant"
      data-streaming={entry.streaming}
      data-message-id={entry.id}
    >
      {empty ? null : (
        <div className="message-bubble" data-testid="message-text">
          <RichText text={entry.text} />
          {entry.streaming ? <span className="caret" aria-hidden="true" /> : null}
          {entry.partial ? <p className="muted small">(stopped before the end)</p> : null}
        </div>
      )}
      {cards.map((card) => (
        <ToolCard key={card.callId} card={card} onDecide={onDecide} />
      ))}
      {entry.usage && !entry.streaming ? <UsageLine usage={entry.usage} model={entry.model} /> : null}
    </li>
  );
}
