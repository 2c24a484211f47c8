/**
 * /workflows: the editor (new workflows, or the next version of an existing
 * one, with its version list), your workflows with Edit and Run, and recent runs
 * with the version each used, live progress, their steps, logs, approvals and cancel.
 */
import { useCallback, useState } from "react";
import { Alert, Button } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { useLiveStates, withLive } from "./live";
import { ProgressBar, StatusPill } from "./progress-bar";
import { RunDetail } from "./run-detail";
import type { Run, Workflow } from "./types";
import { EXAMPLE, WorkflowEditor } from "./workflow-editor";
import { WorkflowVersions } from "./workflow-versions";

const pretty = (definition: unknown) => JSON.stringify(definition, null, 2);

/** What the editor shows; `loads` re-keys it so each load starts from fresh text. */
type EditorState = { workflow: Workflow | null; text: string; loads: number };

export function WorkflowsPage() {
  const workflows = usePages<Workflow>(useCallback((cursor: string | null) => automationApi.listWorkflows(cursor), []));
  const runs = usePages<Run>(useCallback((cursor: string | null) => automationApi.listRuns(cursor), []));
  const [editor, setEditor] = useState<EditorState>({ workflow: null, text: EXAMPLE, loads: 0 });
  const [selected, setSelected] = useState<string | null>(null);
  const live = useLiveStates();
  const load = (workflow: Workflow | null, text: string) =>
    setEditor((state) => ({ workflow, text, loads: state.loads + 1 }));
  const edit = useAction(async (workflowId: string) => {
    const workflow = await automationApi.getWorkflow(workflowId);
    load(workflow, pretty(workflow.definition));
  });
  const start = useAction(async (workflowId: string) => automationApi.startRun(workflowId, {}));
  const run = async (workflowId: string) => {
    const started = await start.run(workflowId);
    if (started) {
      runs.reload();
      setSelected(started.id);
    }
  };
  const names = new Map((workflows.items ?? []).map((w) => [w.id, w.name]));
  return (
    <>
      <PageHeader
        title="Workflows"
        description="Steps with retries, branches, parallel groups, delays and approvals."
      />
      <WorkflowEditor
        key={editor.loads}
        workflow={editor.workflow}
        initialText={editor.text}
        onSaved={(saved) => {
          load(saved, pretty(saved.definition));
          workflows.reload();
        }}
        onNew={() => load(null, EXAMPLE)}
      />
      {editor.workflow ? (
        <WorkflowVersions
          workflow={editor.workflow}
          onLoad={(version) => load(editor.workflow, pretty(version.definition))}
        />
      ) : null}
      <section className="card card-padded">
        <h2>Your workflows</h2>
        {[start.error, edit.error].map((error) =>
          error ? (
            <Alert key={error} kind="error">
              {error}
            </Alert>
          ) : null,
        )}
        <PagedList pages={workflows} loadingLabel="Loading workflows…" empty="No workflows yet.">
          {(items) => (
            <table className="table" data-testid="workflows-table">
              <tbody>
                {items.map((w) => (
                  <tr key={w.id} data-testid={`workflow-${w.id}`}>
                    <td className="strong">{w.name}</td>
                    <td data-testid="latest-version">v{w.latest_version}</td>
                    <td className="small muted">{formatDateTime(w.created_at)}</td>
                    <td className="actions">
                      <Button size="sm" variant="secondary" busy={edit.busy} onClick={() => void edit.run(w.id)}>
                        Edit
                      </Button>
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
      <section className="card card-padded">
        <h2>Runs</h2>
        <PagedList pages={runs} loadingLabel="Loading runs…" empty="No runs yet.">
          {(items) => (
            <table className="table" data-testid="runs-table">
              <tbody>
                {items.map((item) => {
                  const r = withLive(item, live);
                  return (
                    <tr key={r.id} onClick={() => setSelected(r.id)} className="clickable" data-testid={`run-${r.id}`}>
                      <td className="small">
                        {names.get(r.workflow_id) ?? r.workflow_id}{" "}
                        <span className="muted" data-testid="run-version">
                          v{r.version}
                        </span>
                      </td>
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
