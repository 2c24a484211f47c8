/** /audit: the log of changes to your data, newest first, filterable by resource, with "load more". */
import { useCallback, useState } from "react";
import { describeError } from "../../api/errors";
import type { AuditEntry } from "../../api/types";
import { Alert, Button, Spinner } from "../../ui/form";
import { PageHeader } from "../../ui/page-header";
import { usePages } from "../../ui/use-pages";
import { accountApi } from "../api";
import { AuditTable } from "./audit-table";

const RESOURCE_TYPES = [
  { value: "", label: "All resources" },
  { value: "session", label: "Sessions" },
  { value: "user", label: "Account" },
  { value: "api_key", label: "API keys" },
];

export function AuditPage() {
  const [resourceType, setResourceType] = useState("");
  const loader = useCallback((cursor: string | null) => accountApi.listAudit(cursor, resourceType), [resourceType]);
  const audit = usePages<AuditEntry>(loader);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to your account and keys: who did it, from where, and what changed. Secrets are masked."
        actions={
          <>
            <select aria-label="Resource" value={resourceType} onChange={(e) => setResourceType(e.target.value)}>
              {RESOURCE_TYPES.map((type) => (
                <option key={type.value} value={type.value}>
                  {type.label}
                </option>
              ))}
            </select>
            <Button variant="secondary" onClick={audit.reload} busy={audit.loading && audit.items !== null}>
              Refresh
            </Button>
          </>
        }
      />
      <section className="card">
        {audit.error ? <Alert kind="error">{describeError(audit.error)}</Alert> : null}
        {audit.items === null && audit.loading ? <Spinner label="Loading the audit log…" /> : null}
        {audit.items?.length === 0 ? <p className="empty">Nothing recorded yet.</p> : null}
        {audit.items?.length ? <AuditTable entries={audit.items} /> : null}
        {audit.hasMore ? (
          <div className="card-footer">
            <Button variant="secondary" busy={audit.loading} onClick={audit.loadMore} data-testid="audit-more">
              Load more
            </Button>
          </div>
        ) : null}
      </section>
    </>
  );
}
