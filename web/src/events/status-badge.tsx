/** The live connection's state as a coloured dot and a word, in the top bar and on the feed page. */
import type { HubStatus } from "./hub-client";

const LABELS: Record<HubStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function StatusBadge({ status, testId }: { status: HubStatus; testId?: string }) {
  return (
    <span className={`status status-${status}`} data-testid={testId} data-status={status} title="Live event feed">
      <span className="status-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
