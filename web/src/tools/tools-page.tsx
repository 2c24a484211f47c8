/**
 * /tools: the tools your agents can use and where they come from. Extensions
 * (built-in ones to install, enable or disable, and remote MCP servers to connect),
 * every tool you can call now (dangerous ones ask for approval in chat), and recent runs.
 */
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { useUser } from "../auth/session";
import { Alert, Spinner } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { formatDuration } from "../usage/format";
import { toolsApi } from "./api";
import { ExecutionsSection } from "./executions-table";
import { type ExtensionItem, ExtensionRow } from "./extension-row";
import { McpForm } from "./mcp-form";
import type { CatalogEntry, Extension, ToolInfo } from "./types";
import "./tools.css";

type Loaded = { tools: ToolInfo[]; catalog: CatalogEntry[]; extensions: Extension[] };

/** Built-ins in catalogue order (installed or not), then your MCP servers. */
function extensionItems({ catalog, extensions }: Loaded): ExtensionItem[] {
  const byName = new Map(extensions.map((extension) => [extension.name, extension]));
  const builtins = catalog.map((entry) => ({ name: entry.name, entry, installed: byName.get(entry.name) ?? null }));
  const others = extensions
    .filter((extension) => !catalog.some((entry) => entry.name === extension.name))
    .map((extension) => ({ name: extension.name, entry: null, installed: extension }));
  return [...builtins, ...others];
}

export function ToolsPage() {
  const user = useUser();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    Promise.all([toolsApi.tools(), toolsApi.catalog(), toolsApi.extensions()]).then(
      ([tools, catalog, extensions]) =>
        setData({ tools: tools.items, catalog: catalog.items, extensions: extensions.items }),
      setError,
    );
  }, []);
  useEffect(load, [load]);
  const canWrite = user.scopes.includes("extensions:write");

  return (
    <>
      <PageHeader
        title="Tools and extensions"
        description="What your agents can do. An agent uses a tool only if it is in the agent's tool list and enabled here."
      />
      {error ? <Alert kind="error">{describeError(error)}</Alert> : null}
      {!data && !error ? <Spinner label="Loading tools…" /> : null}
      {data ? (
        <>
          <div className="tools-layout">
            <section className="card">
              <div className="card-header">
                <h2>Extensions</h2>
              </div>
              <ul className="extensions" data-testid="extensions">
                {extensionItems(data).map((item) => (
                  <ExtensionRow key={item.name} item={item} canWrite={canWrite} onChanged={load} />
                ))}
              </ul>
            </section>
            {canWrite ? <McpForm onConnected={load} /> : null}
          </div>
          <ToolsTable tools={data.tools} />
          <ExecutionsSection />
        </>
      ) : null}
    </>
  );
}

function ToolsTable({ tools }: { tools: ToolInfo[] }) {
  return (
    <section className="card">
      <div className="card-header">
        <h2>Your tools</h2>
        <span className="muted small">{tools.length} enabled</span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="tools-table">
          <thead>
            <tr>
              <th>Tool</th>
              <th>Extension</th>
              <th>What it does</th>
              <th>Timeout</th>
              <th>Cache</th>
            </tr>
          </thead>
          <tbody>
            {tools.map((tool) => (
              <tr key={tool.name} data-testid="tool-row" data-tool={tool.name}>
                <td className="nowrap">
                  <code>{tool.name}</code>
                  {tool.dangerous ? <span className="badge badge-warning tool-approval">needs approval</span> : null}
                </td>
                <td>{tool.extension}</td>
                <td className="small">{tool.description}</td>
                <td className="nowrap">{formatDuration(tool.timeout_ms)}</td>
                <td className="nowrap">{tool.cache_ttl_seconds ? `${tool.cache_ttl_seconds} s` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
