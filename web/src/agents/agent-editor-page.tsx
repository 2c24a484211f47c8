/**
 * /agents/new and /agents/edit?id=…: the agent editor. Loads the agent (and the
 * model and tool catalogues), saves with POST or PATCH, deletes, and links to a
 * chat. `&created=1` (from the template gallery) greets the new agent.
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { useUser } from "../auth/session";
import { Alert, Button, Spinner } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { Link, navigate, useLocation } from "../ui/router";
import { useAction } from "../ui/use-action";
import { AgentFields } from "./agent-fields";
import { agentsApi } from "./api";
import { type AgentForm, emptyForm, formOf, inputOf } from "./form-state";
import type { Agent } from "./types";
import { useModels, useTools } from "./use-catalogues";
import "./agents.css";

export function AgentEditorPage() {
  const { query } = useLocation();
  const id = query.get("id");
  return <AgentEditor key={id ?? "new"} id={id} created={query.get("created") === "1"} />;
}

function useAgent(id: string | null) {
  const [agent, setAgent] = useState<Agent | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!id) return;
    agentsApi.get(id).then(setAgent, setError);
  }, [id]);
  return { agent, setAgent, error };
}

function AgentEditor({ id, created }: { id: string | null; created: boolean }) {
  const user = useUser();
  const models = useModels();
  const tools = useTools();
  const loaded = useAgent(id);
  const [form, setForm] = useState<AgentForm | null>(id ? null : emptyForm());
  const [saved, setSaved] = useState(false);
  const canWrite = user.scopes.includes("agents:write");

  useEffect(() => {
    if (loaded.agent) setForm((current) => current ?? formOf(loaded.agent as Agent));
  }, [loaded.agent]);
  useEffect(() => {
    const fallback = models.value?.default_model;
    if (!id && fallback) setForm((current) => (current && !current.model ? { ...current, model: fallback } : current));
  }, [id, models.value]);

  const save = useAction(
    useCallback(
      async (next: AgentForm) => {
        const result = inputOf(next);
        if ("problem" in result) throw new Error(result.problem);
        return id ? agentsApi.update(id, result.input) : agentsApi.create(result.input);
      },
      [id],
    ),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    setSaved(false);
    const agent = await save.run(form);
    if (!agent) return;
    if (!id) return navigate(`/agents/edit?id=${encodeURIComponent(agent.id)}`, { replace: true });
    loaded.setAgent(agent);
    setForm(formOf(agent));
    setSaved(true);
  };

  if (loaded.error) return <Alert kind="error">{describeError(loaded.error)}</Alert>;
  if (!form) return <Spinner label="Loading the agent…" />;
  const agent = loaded.agent;

  return (
    <>
      <PageHeader
        title={agent ? agent.name : "New agent"}
        description={agent ? `${agent.type} agent · ${agent.model}` : "An agent from scratch."}
        actions={
          <>
            <Link className="button button-ghost" to="/agents">
              All agents
            </Link>
            {agent?.active ? (
              <Link
                className="button button-primary"
                to={`/chat?agent=${encodeURIComponent(agent.id)}`}
                data-testid="agent-start-chat"
              >
                Start a chat
              </Link>
            ) : null}
          </>
        }
      />
      {created && agent ? (
        <Alert kind="success" testId="agent-created">
          Created “{agent.name}” from a template. Adjust it below, or start a chat right away.
        </Alert>
      ) : null}
      {saved ? (
        <Alert kind="success" testId="agent-saved">
          Saved.
        </Alert>
      ) : null}
      <form className="card card-padded form agent-form" onSubmit={submit} noValidate>
        {save.error ? <Alert kind="error">{save.error}</Alert> : null}
        <AgentFields form={form} onChange={setForm} catalog={models.value} tools={tools.value?.items ?? null} />
        {canWrite ? (
          <div className="inline-actions">
            <Button type="submit" busy={save.busy} data-testid="agent-save">
              {agent ? "Save changes" : "Create agent"}
            </Button>
          </div>
        ) : (
          <Alert kind="info">Your role can read agents but not change them.</Alert>
        )}
      </form>
    </>
  );
}
