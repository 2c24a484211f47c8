/**
 * The workflow editor: JSON checked against the API as you type (every issue
 * shown with its path) beside a readable step tree. It either creates a workflow
 * or, given one, saves the text as its next version; the save names the version
 * it started from, so someone else's newer save is never overwritten silently.
 */
import { useEffect, useState } from "react";
import { Alert, Button, Field } from "../ui/form";
import { useAction } from "../ui/use-action";
import { automationApi } from "./api";
import type { Issue, Workflow } from "./types";

export const EXAMPLE = JSON.stringify(
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

/** Parses and validates `text` a moment after the last keystroke: the issues (null while unknown) and the steps. */
function useDefinitionCheck(text: string) {
  const [issues, setIssues] = useState<Issue[] | null>(null);
  const [steps, setSteps] = useState<StepLike[] | null>(null);
  useEffect(() => {
    const timer = setTimeout(async () => {
      let definition: { steps?: StepLike[] };
      try {
        definition = JSON.parse(text) as { steps?: StepLike[] };
      } catch (error) {
        setIssues([{ path: "(json)", message: String(error), code: "invalid_json" }]);
        return;
      }
      setSteps(Array.isArray(definition.steps) ? definition.steps : null);
      const result = await automationApi.validate(definition).catch(() => null);
      setIssues(result ? result.issues : null);
    }, 400);
    return () => clearTimeout(timer);
  }, [text]);
  return { issues, steps };
}

type EditorProps = {
  /** The workflow whose next version this saves; null creates a new workflow. */
  workflow: Workflow | null;
  initialText: string;
  onSaved: (workflow: Workflow) => void;
  onNew: () => void;
};

export function WorkflowEditor({ workflow, initialText, onSaved, onNew }: EditorProps) {
  const [name, setName] = useState(workflow?.name ?? "");
  const [text, setText] = useState(initialText);
  const { issues, steps } = useDefinitionCheck(text);
  const save = useAction(async () => {
    const definition = JSON.parse(text) as unknown;
    if (!workflow) return automationApi.createWorkflow({ name, definition });
    const rename = name !== workflow.name ? { name } : {};
    return automationApi.saveWorkflow(workflow.id, { definition, base_version: workflow.latest_version, ...rename });
  });
  const submit = async () => {
    const saved = await save.run();
    if (saved) onSaved(saved);
  };
  return (
    <section className="card card-padded stack" data-testid="workflow-editor">
      <div className="section-header">
        <h2>{workflow ? `Edit ${workflow.name} (latest: version ${workflow.latest_version})` : "New workflow"}</h2>
        {workflow ? (
          <Button size="sm" variant="ghost" onClick={onNew}>
            New workflow
          </Button>
        ) : null}
      </div>
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} />
      <textarea
        className="code-input"
        rows={14}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-label="Definition (JSON)"
      />
      {issues?.length ? (
        <Alert kind="error" title="Not valid yet" testId="definition-issues">
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
      {steps ? <StepTree steps={steps} /> : null}
      {save.error ? <Alert kind="error">{save.error}</Alert> : null}
      <Button busy={save.busy} disabled={!name || !!issues?.length} onClick={() => void submit()}>
        {workflow ? `Save as version ${workflow.latest_version + 1}` : "Save workflow"}
      </Button>
    </section>
  );
}
