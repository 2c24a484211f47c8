/** /keys: create an API key (secret shown once), list your keys, revoke them. */
import { useCallback, useState } from "react";
import type { ApiKey, CreatedApiKey } from "../../api/types";
import { useUser } from "../../auth/session";
import { Alert } from "../../ui/form";
import { PageHeader } from "../../ui/page-header";
import { PagedList } from "../../ui/paged-list";
import { usePages } from "../../ui/use-pages";
import { accountApi } from "../api";
import { CreateKeyForm } from "./create-key-form";
import { KeysTable } from "./keys-table";
import { SecretBox } from "./secret-box";

export function KeysPage() {
  const user = useUser();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const loader = useCallback((cursor: string | null) => accountApi.listKeys(cursor, includeRevoked), [includeRevoked]);
  const keys = usePages<ApiKey>(loader);
  const canWrite = user.scopes.includes("keys:write");

  const onCreated = (result: CreatedApiKey) => {
    setCreated(result);
    keys.reload();
  };

  const onRevoked = (key: ApiKey) => {
    if (created?.key.id === key.id) setCreated(null);
    keys.replace(key);
  };

  return (
    <>
      <PageHeader title="API keys" description="Credentials for scripts, the CLI and services that act as you." />
      {created ? <SecretBox created={created} onDismiss={() => setCreated(null)} /> : null}
      {canWrite ? (
        <CreateKeyForm available={user.scopes} onCreated={onCreated} />
      ) : (
        <Alert kind="info" title="Read-only role">
          Your role ({user.role}) cannot create or revoke API keys. Ask an administrator for the developer role.
        </Alert>
      )}
      <section className="card">
        <div className="card-header">
          <h2>Your keys</h2>
          <label className="checkbox small">
            <input type="checkbox" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
            Show revoked
          </label>
        </div>
        <PagedList pages={keys} loadingLabel="Loading keys…" empty="No API keys yet.">
          {(items) => <KeysTable keys={items} onRevoked={onRevoked} />}
        </PagedList>
      </section>
    </>
  );
}
