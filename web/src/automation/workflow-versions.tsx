/**
 * The saved versions of the workflow in the editor, newest first. Any of them can
 * be loaded into the editor; saving it then makes the next version (versions are
 * immutable, so going back is a new save, and runs keep the version they started with).
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Button } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { automationApi } from "./api";
import type { Workflow, WorkflowVersion } from "./types";

type Props = { workflow: Workflow; onLoad: (version: WorkflowVersion) => void };

export function WorkflowVersions({ workflow, onLoad }: Props) {
  const [versions, setVersions] = useState<WorkflowVersion[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new latest version means the list changed
  useEffect(() => {
    let current = true;
    automationApi.listVersions(workflow.id).then(
      (page) => current && setVersions(page.items),
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [workflow.id, workflow.latest_version]);
  if (error) return <Alert kind="error">{describeError(error)}</Alert>;
  if (!versions) return null;
  return (
    <section className="card card-padded">
      <h2>Versions of {workflow.name}</h2>
      <table className="table" data-testid="workflow-versions">
        <tbody>
          {versions.map((item) => (
            <tr key={item.version} data-testid={`version-${item.version}`}>
              <td className="strong">
                v{item.version}
                {item.version === workflow.latest_version ? <span className="badge badge-success">latest</span> : null}
              </td>
              <td className="small muted">{formatDateTime(item.created_at)}</td>
              <td className="actions">
                <Button size="sm" variant="secondary" onClick={() => onLoad(item)}>
                  Load into editor
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
