/**
 * One tool call in the conversation: the tool, its status and time, its input and
 * output (or error), and Approve / Reject while a dangerous call waits for a person.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { Button } from "../ui/form";
import { formatDuration } from "../usage/format";
import type { ToolCard as Card } from "./transcript";

const LABELS: Record<string, string> = {
  requested: "requested",
  awaiting_approval: "needs your approval",
  approved: "approved",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
  rejected: "rejected",
  cancelled: "cancelled",
  blocked: "blocked",
};

const TONES: Record<string, string> = {
  succeeded: "badge-success",
  awaiting_approval: "badge-warning",
  failed: "badge-danger",
  timed_out: "badge-danger",
  blocked: "badge-danger",
  rejected: "badge-muted",
  cancelled: "badge-muted",
};

function json(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** Seconds since the call started, ticking while it runs. */
function useElapsed(startedAt: string | null, running: boolean): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [running]);
  return startedAt && running ? Math.max(0, now - new Date(startedAt).getTime()) : null;
}

type ToolCardProps = { card: Card; onDecide: (callId: string, decision: "approve" | "reject") => Promise<void> };

export function ToolCard({ card, onDecide }: ToolCardProps) {
  const [busy, setBusy] = useState<"approve" | "reject" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = card.status === "running";
  const elapsed = useElapsed(card.startedAt, running);
  const time = card.executionTimeMs ?? elapsed;

  const decide = async (decision: "approve" | "reject") => {
    setBusy(decision);
    setError(null);
    try {
      await onDecide(card.callId, decision);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="tool-card" data-testid="tool-card" data-tool={card.name} data-status={card.status}>
      <div className="tool-card-head">
        <span className="tool-card-name">⚙ {card.name}</span>
        <span className={`badge ${TONES[card.status] ?? ""}`} data-testid="tool-status">
          {running ? <span className="spinner" aria-hidden="true" /> : null}
          {LABELS[card.status] ?? card.status}
        </span>
        {time !== null ? (
          <span className="muted small" data-testid="tool-time">
            {formatDuration(time)}
          </span>
        ) : null}
      </div>
      <details className="tool-card-section" open={card.approval === "pending"}>
        <summary>Input</summary>
        <pre data-testid="tool-input">{json(card.input)}</pre>
      </details>
      {card.output !== undefined ? (
        <details className="tool-card-section" open>
          <summary>Output</summary>
          <pre data-testid="tool-output">{json(card.output)}</pre>
        </details>
      ) : null}
      {card.error ? (
        <p className="text-error small" data-testid="tool-error">
          {card.error.message} ({card.error.code})
        </p>
      ) : null}
      {card.approval === "pending" ? (
        <div className="tool-card-approval">
          <span className="small">This tool can change things outside Edgewise. Let it run?</span>
          <span className="inline-actions">
            <Button
              size="sm"
              busy={busy === "approve"}
              disabled={busy !== null}
              onClick={() => decide("approve")}
              data-testid="tool-approve"
            >
              Approve
            </Button>
            <Button
              variant="secondary"
              size="sm"
              busy={busy === "reject"}
              disabled={busy !== null}
              onClick={() => decide("reject")}
              data-testid="tool-reject"
            >
              Reject
            </Button>
          </span>
          {error ? <p className="text-error small">{error}</p> : null}
        </div>
      ) : null}
    </div>
  );
}
