/** Pending conflicts with both sides side by side; resolving writes a version of both. */
import { describeError } from "../api/errors";
import { Alert, Button } from "../ui/form";
import { useAction } from "../ui/use-action";
import { type ConflictState, graphApi } from "./api";

const show = (content: unknown) =>
  content === null || content === undefined ? "(deleted)" : JSON.stringify(content, null, 2);

export function ConflictsPanel({ conflicts, onResolved }: { conflicts: ConflictState[]; onResolved: () => void }) {
  const resolve = useAction(async (id: string, choose: "local" | "remote") => {
    await graphApi.resolve(id, choose);
    onResolved();
  });
  if (!conflicts.length) return null;
  return (
    <section className="card" data-testid="graph-conflicts">
      <div className="card-header">
        <h2>Conflicts that need you ({conflicts.length})</h2>
      </div>
      {resolve.error ? <Alert kind="error">{describeError(resolve.error)}</Alert> : null}
      {conflicts.map((conflict) => (
        <div key={conflict.id} className="conflict">
          <p className="small muted">
            {conflict.entity_type} {conflict.entity_id} · edited on two devices at once (
            {conflict.conflict_type.replace("_", " ")})
          </p>
          <div className="conflict-sides">
            <pre>
              <strong>Incoming</strong>
              {"\n"}
              {show(conflict.conflict_data.local)}
            </pre>
            <pre>
              <strong>Current</strong>
              {"\n"}
              {show(conflict.conflict_data.remote)}
            </pre>
          </div>
          <div className="row">
            <Button size="sm" busy={resolve.busy} onClick={() => void resolve.run(conflict.id, "local")}>
              Keep incoming
            </Button>
            <Button
              size="sm"
              variant="ghost"
              busy={resolve.busy}
              onClick={() => void resolve.run(conflict.id, "remote")}
            >
              Keep current
            </Button>
          </div>
        </div>
      ))}
    </section>
  );
}
