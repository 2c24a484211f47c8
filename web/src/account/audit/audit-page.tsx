/** /audit: the log of changes to your data, newest first, filterable by resource, with "load more". */
import { useCallback, useState } from "react";
import type { AuditEntry } from "../../api/types";
import { Button } from "../../ui/form";
import { PageHeader } from "../../ui/page-header";
import { PagedList } from "../../ui/paged-list";
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
        <PagedList
          pages={audit}
          loadingLabel="Loading the audit log…"
          empty="Nothing recorded yet."
          moreTestId="audit-more"
        >
          {(entries) => <AuditTable entries={entries} />}
        </PagedList>
      </section>
    </>
  );
}
