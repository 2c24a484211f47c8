/** Recent tool runs (GET /tool-executions): which tool, from where, how it ended and how long it took. */
import { useCallback } from "react";
import { formatDateTime, formatRelative } from "../ui/format";
import { PagedList } from "../ui/paged-list";
import { usePages } from "../ui/use-pages";
import { formatDuration } from "../usage/format";
import { toolsApi } from "./api";
import type { ToolExecution } from "./types";

const TONES: Record<string, string> = { succeeded: "badge-success", rejected: "badge-muted", cancelled: "badge-muted" };

export function ExecutionsSection() {
  const loader = useCallback((cursor: string | null) => toolsApi.executions(cursor), []);
  const runs = usePages<ToolExecution>(loader);
  return (
    <section className="card">
      <div className="card-header">
        <h2>Recent tool runs</h2>
      </div>
      <PagedList pages={runs} loadingLabel="Loading tool runs…" empty="No tool has run yet.">
        {(items) => (
          <div className="table-wrap">
            <table className="table" data-testid="tool-runs">
              <thead>
                <tr>
                  <th>Tool</th>
                  <th>Status</th>
                  <th>From</th>
                  <th>Time</th>
                  <th>When</th>
                </tr>
              </thead>
              <tbody>
                {items.map((run) => (
                  <tr key={run.id}>
                    <td>
                      <code>{run.tool}</code>
                    </td>
                    <td>
                      <span className={`badge ${TONES[run.status] ?? "badge-danger"}`} title={run.error?.message}>
                        {run.status.replace("_", " ")}
                      </span>
                    </td>
                    <td>{run.source}</td>
                    <td>{formatDuration(run.execution_time_ms)}</td>
                    <td className="nowrap" title={formatDateTime(run.created_at)}>
                      {formatRelative(run.created_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}
