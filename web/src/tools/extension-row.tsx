/**
 * One extension on the tools page: what it is and its tools, with install, enable / disable,
 * settings (./extension-settings.tsx), refresh and remove.
 */
import { useState } from "react";
import { describeError } from "../api/errors";
import { Button } from "../ui/form";
import { toolsApi } from "./api";
import { ExtensionSettings, settingsOf } from "./extension-settings";
import type { CatalogEntry, Extension } from "./types";

export type ExtensionItem = { name: string; entry: CatalogEntry | null; installed: Extension | null };

export function ExtensionRow({
  item,
  canWrite,
  onChanged,
}: {
  item: ExtensionItem;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const { entry, installed } = item;
  const info = installed ?? entry;
  const removable = installed && (installed.kind === "mcp" || !entry?.default_enabled);
  const configurable = canWrite && installed && settingsOf(installed.config_schema).length > 0;

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onChanged();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      className="extension"
      data-testid="extension"
      data-extension={item.name}
      data-enabled={installed?.enabled ?? false}
    >
      <div className="extension-info">
        <div className="extension-title">
          <strong>{item.name}</strong>
          <span className="muted small">
            {info ? `v${info.version} · ${info.publisher}` : ""}
            {installed?.kind === "mcp" ? ` · MCP ${installed.mcp_url ?? ""}` : ""}
          </span>
        </div>
        {info?.description ? <p className="muted small">{info.description}</p> : null}
        <span className="chips">
          {(info?.tools ?? []).map((tool) => (
            <span key={tool.name} className="chip chip-sm" title={tool.description}>
              {tool.name}
              {tool.dangerous ? " ⚠" : ""}
            </span>
          ))}
        </span>
        {error ? <p className="text-error small">{error}</p> : null}
        {configurable && editing ? <ExtensionSettings extension={installed} onSaved={onChanged} /> : null}
      </div>
      {canWrite ? (
        <div className="inline-actions extension-actions">
          {installed ? (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={installed.enabled}
                disabled={busy}
                onChange={(e) => void act(() => toolsApi.setEnabled(installed.id, e.target.checked))}
                data-testid="extension-enabled"
              />
              Enabled
            </label>
          ) : (
            <Button
              size="sm"
              busy={busy}
              onClick={() => void act(() => toolsApi.install(item.name))}
              data-testid="extension-install"
            >
              Install
            </Button>
          )}
          {configurable ? (
            <Button
              variant="ghost"
              size="sm"
              aria-expanded={editing}
              onClick={() => setEditing(!editing)}
              data-testid="extension-settings-toggle"
            >
              Settings
            </Button>
          ) : null}
          {installed?.kind === "mcp" ? (
            <Button
              variant="ghost"
              size="sm"
              disabled={busy}
              onClick={() => void act(() => toolsApi.refresh(installed.id))}
            >
              Refresh tools
            </Button>
          ) : null}
          {removable ? (
            <Button
              variant="ghost"
              size="sm"
              disabled={busy}
              onClick={() => void act(() => toolsApi.remove(installed.id))}
            >
              Remove
            </Button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
