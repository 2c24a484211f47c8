/**
 * /workflows: the editor (JSON with validation as you type and a readable step
 * view), your workflows with a Run button, and recent runs with live progress,
 * their steps, logs, approvals and cancel.
 */
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Button, Field } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { useLiveStates, withLive } from "./live";
import { ProgressBar, StatusPill } from "./progress-bar";
import type { Issue, LogLine, Run, Workflow } from "./types";

const EXAMPLE = JSON.stringify(
  {
    steps: [
      { id: "fetch", kind: "http", url: "https://example.com/api/orders", retry: { max_attempts: 3 } },
      { id: "ok", kind: "approval", message: "Sync {{ steps.fetch.output.body.count }} orders?" },
      {
        id: "sync",
        kind: "parallel",
        branches: [[{ id: "wait", kind: "sleep", ms: 1000 }], [{ id: "pause", kind: "delay", ms: 500 }]],
      },
    ],
  },
  null,
  2,
);

type StepLike = { id?: string; kind?: string; do?: StepLike[]; else?: StepLike[]; branches?: StepLike[][] };

function StepTree({ steps, depth = 0 }: { steps: StepLike[]; depth?: number }) {
  return (
    <ol className="step-tree" style={{ paddingLeft: depth ? 16 : 0 }}>
      {steps.map((step, i) => (
        <li key={step.id ?? i}>
          <code>{step.id}</code> <span className="muted">{step.kind}</span>
          {step.do ? <StepTree steps={step.do} depth={depth + 1} /> : null}
          {step.else?.length ? (
            <>
              <div className="small muted">else</div>
              <StepTree steps={step.else} depth={depth + 1} />
            </>
          ) : null}
          {step.branches?.map((branch) => (
            <StepTree key={branch.map((s) => s.id).join(",")} steps={branch} depth={depth + 1} />
          ))}
        </li>
      ))}
    </ol>
  );
}

function Editor({ onSaved }: { onSaved: () => void }) {
  const [name, setName] = useState("");
  const [text, setText] = useState(EXAMPLE);
  const [issues, setIssues] = useState<Issue[] | null>(null);
  const [parsed, setParsed] = useState<StepLike[] | null>(null);
  const save = useAction(automationApi.createWorkflow);
  useEffect(() => {
    const timer = setTimeout(async () => {
      let definition: { steps?: StepLike[] };
      try {
        definition = JSON.parse(text) as { steps?: StepLike[] };
      } catch (error) {
        setIssues([{ path: "(json)", message: String(error), code: "invalid_json" }]);
        return;
      }
      setParsed(Array.isArray(definition.steps) ? definition.steps : null);
      const result = await automationApi.validate(definition).catch(() => null);
      setIssues(result ? result.issues : null);
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);
  const submit = async () => {
    if (await save.run({ name, definition: JSON.parse(text) })) onSaved();
  };
  return (
    <section className="card" data-testid="workflow-editor">
      <h2>New workflow</h2>
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} />
      <textarea
        className="code-input"
        rows={14}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-label="Definition (JSON)"
      />
      {issues?.length ? (
        <Alert kind="error" title="Not valid yet">
          <ul>
            {issues.map((issue) => (
              <li key={`${issue.path}:${issue.code}:${issue.message}`}>
                <code>{issue.path}</code>: {issue.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : issues ? (
        <Alert kind="success">Valid</Alert>
      ) : null}
      {parsed ? <StepTree steps={parsed} /> : null}
      {save.error ? <Alert kind="error">{save.error}</Alert> : null}
      <Button busy={save.busy} disabled={!name || !!issues?.length} onClick={() => void submit()}>
        Save workflow
      </Button>
    </section>
  );
}

function RunDetail({ runId, onClose }: { runId: string; onClose: () => void }) {
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
        <h2>Run {run.id}</h2>
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

export function WorkflowsPage() {
  const workflows = usePages<Workflow>(useCallback((cursor: string | null) => automationApi.listWorkflows(cursor), []));
  const runs = usePages<Run>(useCallback((cursor: string | null) => automationApi.listRuns(cursor), []));
  const [selected, setSelected] = useState<string | null>(null);
  const live = useLiveStates();
  const start = useAction(async (workflowId: string) => automationApi.startRun(workflowId, {}));
  const run = async (workflowId: string) => {
    const started = await start.run(workflowId);
    if (started) {
      runs.reload();
      setSelected(started.id);
    }
  };
  return (
    <>
      <PageHeader
        title="Workflows"
        description="Steps with retries, branches, parallel groups, delays and approvals."
      />
      <Editor onSaved={() => workflows.reload()} />
      <section className="card">
        <h2>Your workflows</h2>
        {start.error ? <Alert kind="error">{start.error}</Alert> : null}
        {workflows.error ? <Alert kind="error">{describeError(workflows.error)}</Alert> : null}
        <PagedList pages={workflows} loadingLabel="Loading workflows…" empty="No workflows yet.">
          {(items) => (
            <table className="table">
              <tbody>
                {items.map((w) => (
                  <tr key={w.id}>
                    <td className="strong">{w.name}</td>
                    <td>v{w.latest_version}</td>
                    <td className="small muted">{formatDateTime(w.created_at)}</td>
                    <td className="actions">
                      <Button size="sm" onClick={() => void run(w.id)}>
                        Run
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
      {selected ? <RunDetail runId={selected} onClose={() => setSelected(null)} /> : null}
      <section className="card">
        <h2>Runs</h2>
        <PagedList pages={runs} loadingLabel="Loading runs…" empty="No runs yet.">
          {(items) => (
            <table className="table">
              <tbody>
                {items.map((item) => {
                  const r = withLive(item, live);
                  return (
                    <tr key={r.id} onClick={() => setSelected(r.id)} className="clickable">
                      <td className="small">{r.id}</td>
                      <td>
                        <StatusPill status={r.status} />
                      </td>
                      <td className="progress-cell">
                        <ProgressBar progress={r.progress} status={r.status} />
                      </td>
                      <td className="small muted">{formatDateTime(r.started_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </>
  );
}
