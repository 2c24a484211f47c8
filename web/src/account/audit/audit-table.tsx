/** Audit entries as a table; the old → new values of a change unfold on demand. */
import type { AuditEntry } from "../../api/types";
import { formatData, formatDateTime } from "../../ui/format";

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>When</th>
            <th>Action</th>
            <th>Resource</th>
            <th>Actor</th>
            <th>From</th>
            <th>Changes</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
              <td className="nowrap">{formatDateTime(entry.created_at)}</td>
              <td>
                <code className="action">{entry.action}</code>
              </td>
              <td>
                {entry.resource_type}
                {entry.resource_id ? (
                  <span className="muted id" title={entry.resource_id}>
                    {entry.resource_id}
                  </span>
                ) : null}
              </td>
              <td>{entry.actor_type === "system" ? "System" : entry.actor_type.replace("_", " ")}</td>
              <td className="small" title={entry.user_agent ?? undefined}>
                {entry.ip_address ?? "—"}
              </td>
              <td>
                <Changes entry={entry} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Changes({ entry }: { entry: AuditEntry }) {
  const keys = [...new Set([...Object.keys(entry.old_values ?? {}), ...Object.keys(entry.new_values ?? {})])];
  if (!keys.length) return <span className="muted">—</span>;
  return (
    <details className="changes">
      <summary>{keys.join(", ")}</summary>
      <dl>
        {keys.map((key) => (
          <div key={key} className="change">
            <dt>{key}</dt>
            <dd>
              {entry.old_values && key in entry.old_values ? (
                <>
                  <del>{formatData(entry.old_values[key])}</del> →{" "}
                </>
              ) : null}
              <ins>{formatData(entry.new_values?.[key])}</ins>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
