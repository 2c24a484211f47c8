/** A progress bar with its percent and message, for tasks and workflow runs. */
import type { Progress } from "./types";

export function ProgressBar({ progress, status }: { progress: Progress; status: string }) {
  const percent = Math.max(0, Math.min(100, progress.percent));
  return (
    <div className="progress" data-testid="progress">
      <div
        className={`progress-track progress-${status}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-label="Progress"
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text small muted">
        {percent}%{progress.message ? ` · ${progress.message}` : ""}
      </span>
    </div>
  );
}

export function StatusPill({ status }: { status: string }) {
  return (
    <span className={`pill pill-${status}`} data-testid="status">
      {status}
    </span>
  );
}
