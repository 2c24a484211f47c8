/** /agents: your agents, with chat, edit and delete, and the ways to make a new one (blank or from a template). */
import { useCallback, useState } from "react";
import { describeError } from "../api/errors";
import { useUser } from "../auth/session";
import { Button } from "../ui/form";
import { formatDateTime, formatRelative } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { Link } from "../ui/router";
import { usePages } from "../ui/use-pages";
import { agentsApi } from "./api";
import type { Agent } from "./types";
import "./agents.css";

export function AgentsPage() {
  const user = useUser();
  const loader = useCallback((cursor: string | null) => agentsApi.list(cursor), []);
  const agents = usePages<Agent>(loader);
  const canWrite = user.scopes.includes("agents:write");

  return (
    <>
      <PageHeader
        title="Agents"
        description="Assistants with a model, a system prompt and the tools they may use. Chat with them here or from the CLI."
        actions={
          canWrite ? (
            <>
              <Link className="button button-secondary" to="/agents/new" data-testid="agent-new">
                Blank agent
              </Link>
              <Link className="button button-primary" to="/agents/templates" data-testid="agent-from-template">
                From a template
              </Link>
            </>
          ) : null
        }
      />
      <section className="card">
        <PagedList
          pages={agents}
          loadingLabel="Loading agents…"
          empty="No agents yet. Start from a template: it comes with a tuned prompt and the right tools."
        >
          {(items) => <AgentsTable agents={items} canWrite={canWrite} onDeleted={agents.reload} />}
        </PagedList>
      </section>
    </>
  );
}

function AgentsTable({ agents, canWrite, onDeleted }: { agents: Agent[]; canWrite: boolean; onDeleted: () => void }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="agents-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Model</th>
            <th>Tools</th>
            <th>Updated</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <AgentRow key={agent.id} agent={agent} canWrite={canWrite} onDeleted={onDeleted} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AgentRow({ agent, canWrite, onDeleted }: { agent: Agent; canWrite: boolean; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await agentsApi.remove(agent.id);
      onDeleted();
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <tr data-testid="agent-row" data-agent-id={agent.id} className={agent.active ? "" : "row-muted"}>
      <td>
        <Link className="strong" to={`/agents/edit?id=${encodeURIComponent(agent.id)}`}>
          {agent.name}
        </Link>
        <div className="muted small">
          {agent.type}
          {agent.active ? null : <span className="badge badge-muted agent-inactive">inactive</span>}
        </div>
      </td>
      <td>
        <code className="small">{agent.model}</code>
      </td>
      <td>
        <span className="chips">
          {agent.tools.length ? (
            agent.tools.map((tool) => (
              <span key={tool} className="chip chip-sm">
                {tool}
              </span>
            ))
          ) : (
            <span className="muted small">none</span>
          )}
        </span>
      </td>
      <td className="nowrap" title={formatDateTime(agent.updated_at)}>
        {formatRelative(agent.updated_at)}
      </td>
      <td className="cell-actions">
        {confirming ? (
          <span className="inline-actions">
            <Button variant="danger" size="sm" busy={busy} onClick={remove} data-testid="agent-delete-confirm">
              Delete with its sessions
            </Button>
            <Button variant="ghost" size="sm" onClick={() => setConfirming(false)} disabled={busy}>
              Keep
            </Button>
          </span>
        ) : (
          <span className="inline-actions">
            {agent.active ? (
              <Link
                className="button button-primary button-sm"
                to={`/chat?agent=${encodeURIComponent(agent.id)}`}
                data-testid="agent-chat"
              >
                Chat
              </Link>
            ) : null}
            {canWrite ? (
              <Button variant="ghost" size="sm" onClick={() => setConfirming(true)} data-testid="agent-delete">
                Delete
              </Button>
            ) : null}
          </span>
        )}
        {error ? <p className="text-error small">{error}</p> : null}
      </td>
    </tr>
  );
}
