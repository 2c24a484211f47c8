/**
 * /agents/templates: the template gallery. Each card shows what the template is for
 * and its tools; "Use template" asks for a name and a model, creates the agent
 * (POST /agents/from-template) and opens it in the editor.
 */
import { type FormEvent, useCallback, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Button, Field, Spinner } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { Link, navigate } from "../ui/router";
import { useAction } from "../ui/use-action";
import { agentsApi } from "./api";
import type { AgentTemplate, FromTemplateInput, ModelCatalog } from "./types";
import { ModelOptions, useModels, useTemplates } from "./use-catalogues";
import "./agents.css";

export function TemplateGalleryPage() {
  const templates = useTemplates();
  const models = useModels();
  const [chosen, setChosen] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title="Agent templates"
        description="Starting points with a tuned system prompt and the tools that fit. You can change everything afterwards."
        actions={
          <Link className="button button-ghost" to="/agents">
            Back to agents
          </Link>
        }
      />
      {templates.error ? <Alert kind="error">{describeError(templates.error)}</Alert> : null}
      {templates.value === null && !templates.error ? <Spinner label="Loading templates…" /> : null}
      <div className="template-grid" data-testid="template-gallery">
        {templates.value?.items.map((template) => (
          <TemplateCard
            key={template.id}
            template={template}
            catalog={models.value}
            open={chosen === template.id}
            onOpen={() => setChosen(template.id)}
            onClose={() => setChosen(null)}
          />
        ))}
      </div>
    </>
  );
}

type CardProps = {
  template: AgentTemplate;
  catalog: ModelCatalog | null;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
};

function TemplateCard({ template, catalog, open, onOpen, onClose }: CardProps) {
  return (
    <article className="card card-padded template-card" data-testid="template-card" data-template-id={template.id}>
      <div className="template-head">
        <h3>{template.name}</h3>
        <span className="badge">{template.category}</span>
      </div>
      <p className="muted">{template.description}</p>
      <span className="chips">
        {template.tools.map((tool) => (
          <span key={tool} className="chip chip-sm">
            {tool}
          </span>
        ))}
      </span>
      <details className="template-prompt">
        <summary>System prompt</summary>
        <pre>{template.system_prompt}</pre>
      </details>
      {open ? (
        <UseTemplateForm template={template} catalog={catalog} onCancel={onClose} />
      ) : (
        <Button variant="secondary" onClick={onOpen} data-testid="template-use">
          Use template
        </Button>
      )}
    </article>
  );
}

function UseTemplateForm({
  template,
  catalog,
  onCancel,
}: {
  template: AgentTemplate;
  catalog: ModelCatalog | null;
  onCancel: () => void;
}) {
  const [name, setName] = useState(template.name);
  const [model, setModel] = useState("");
  const action = useAction(useCallback((input: FromTemplateInput) => agentsApi.fromTemplate(input), []));
  const listId = `models-${template.id}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input: FromTemplateInput = { template_id: template.id };
    if (name.trim()) input.name = name.trim();
    if (model.trim()) input.model = model.trim();
    const agent = await action.run(input);
    if (agent) navigate(`/agents/edit?id=${encodeURIComponent(agent.id)}&created=1`);
  };

  return (
    <form className="form template-form" onSubmit={submit} noValidate>
      {action.error ? <Alert kind="error">{action.error}</Alert> : null}
      <Field
        label="Name"
        value={name}
        maxLength={100}
        onChange={(e) => setName(e.target.value)}
        data-testid="template-name"
      />
      <Field
        label="Model"
        placeholder={catalog?.default_model ?? "provider:model"}
        hint="provider:model; empty for the system default. offline:assistant runs tools without any API key."
        list={listId}
        value={model}
        onChange={(e) => setModel(e.target.value)}
        data-testid="template-model"
      />
      <ModelOptions id={listId} catalog={catalog} />
      <div className="inline-actions">
        <Button type="submit" busy={action.busy} data-testid="template-create">
          Create agent
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
