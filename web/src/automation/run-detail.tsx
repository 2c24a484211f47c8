/** One workflow run on the workflows page: live progress, the version it ran, its steps, log, approvals. */
import { useEffect, useState } from "react";
import { Alert, Button } from "../ui/form";
import { automationApi } from "./api";
import { useLiveStates } from "./live";
import { ProgressBar, StatusPill } from "./progress-bar";
import type { LogLine, RunDetail as Run } from "./types";

export function RunDetail({ runId, onClose }: { runId: string; onClose: () => void }) {
  const [run, setRun] = useState<Run | null>(null);
  const [logs, setLogs] = useState<LogLine[]>([]);
  const live = useLiveStates();
  const liveState = live.get(runId);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload whenever the live feed says the run moved
  useEffect(() => {
    void automationApi.getRun(runId).then(setRun);
    void automationApi.runLogs(runId).then((page) => setLogs(page.items));
  }, [runId, liveState]);
  if (!run) return null;
  const waiting = run.steps?.find((step) => step.kind === "approval" && step.status === "waiting");
  return (
    <section className="card" data-testid="run-detail">
      <div className="card-header">
        <h2>
          Run {run.id}{" "}
          <span className="muted small" data-testid="run-version">
            version {run.version}
          </span>
        </h2>
        <Button size="sm" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      <ProgressBar progress={run.progress} status={run.status} /> <StatusPill status={run.status} />
      {run.error ? <Alert kind="error">{run.error}</Alert> : null}
      {waiting ? (
        <div className="row">
          <span>Step {waiting.step_id} waits for approval.</span>
          <Button size="sm" onClick={() => void automationApi.decide(run.id, waiting.step_id, "approve").then(setRun)}>
            Approve
          </Button>
          <Button
            size="sm"
            variant="danger"
            onClick={() => void automationApi.decide(run.id, waiting.step_id, "reject").then(setRun)}
          >
            Reject
          </Button>
        </div>
      ) : null}
      <table className="table">
        <tbody>
          {run.steps?.map((step) => (
            <tr key={step.step_id}>
              <td>
                <code>{step.step_id}</code> <span className="muted">{step.kind}</span>
              </td>
              <td>
                <StatusPill status={step.status} />
              </td>
              <td className="small">{step.attempt ? `attempt ${step.attempt}` : ""}</td>
              <td className="small">{step.duration_ms !== null ? `${step.duration_ms} ms` : ""}</td>
              <td className="small error-text">{step.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre className="log-view">
        {logs
          .map(
            (line) => `${line.created_at.slice(11, 19)} ${line.level.padEnd(5)} ${line.step_id ?? "-"} ${line.message}`,
          )
          .join("\n")}
      </pre>
    </section>
  );
}
