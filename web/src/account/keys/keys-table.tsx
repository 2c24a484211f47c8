/** The API keys list: prefix, scopes, dates, state, and revoke with an inline confirmation. */
import { useState } from "react";
import { describeError } from "../../api/errors";
import type { ApiKey } from "../../api/types";
import { Button } from "../../ui/form";
import { formatDateTime, formatRelative } from "../../ui/format";
import { accountApi } from "../api";

function keyState(key: ApiKey): "active" | "revoked" | "expired" {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return "expired";
  return "active";
}

const SCOPES_SHOWN = 4;

export function KeysTable({ keys, onRevoked }: { keys: ApiKey[]; onRevoked: (key: ApiKey) => void }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="keys-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Key</th>
            <th>Scopes</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Expires</th>
            <th aria-label="State and actions" />
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <KeyRow key={key.id} apiKey={key} onRevoked={onRevoked} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: (key: ApiKey) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = keyState(apiKey);
  const hidden = apiKey.scopes.length - SCOPES_SHOWN;

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      onRevoked(await accountApi.revokeKey(apiKey.id));
      setConfirming(false);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr
      data-testid="key-row"
      data-key-id={apiKey.id}
      data-state={state}
      className={state === "active" ? "" : "row-muted"}
    >
      <td className="strong nowrap">{apiKey.name}</td>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>
        <span className="chips" title={apiKey.scopes.join(", ")}>
          {apiKey.scopes.slice(0, SCOPES_SHOWN).map((scope) => (
            <span key={scope} className="chip chip-sm">
              {scope}
            </span>
          ))}
          {hidden > 0 ? <span className="chip chip-sm chip-more">+{hidden}</span> : null}
        </span>
      </td>
      <td className="nowrap" title={formatDateTime(apiKey.created_at)}>
        {formatRelative(apiKey.created_at)}
      </td>
      <td className="nowrap" title={formatDateTime(apiKey.last_used_at)}>
        {formatRelative(apiKey.last_used_at)}
      </td>
      <td className="nowrap" title={formatDateTime(apiKey.expires_at)}>
        {apiKey.expires_at ? formatRelative(apiKey.expires_at) : "Never"}
      </td>
      <td className="cell-actions">
        {state !== "active" ? (
          <span className={`badge badge-${state === "revoked" ? "danger" : "muted"}`}>{state}</span>
        ) : null}
        {state === "active" && !confirming ? (
          <Button variant="secondary" size="sm" onClick={() => setConfirming(true)} data-testid="key-revoke">
            Revoke
          </Button>
        ) : null}
        {confirming ? (
          <span className="inline-actions">
            <Button variant="danger" size="sm" busy={busy} onClick={revoke} data-testid="key-revoke-confirm">
              Revoke now
            </Button>
            <Button variant="ghost" size="sm" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </Button>
          </span>
        ) : null}
        {error ? <p className="text-error small">{error}</p> : null}
      </td>
    </tr>
  );
}
