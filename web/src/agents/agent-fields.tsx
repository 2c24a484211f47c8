/** The agent editor's fields: identity and model, system prompt, tools, and the pipeline settings. */
import { Field } from "../ui/form";
import { type AgentForm, NUMBER_SETTINGS, toAgentType } from "./form-state";
import { ToolPicker } from "./tool-picker";
import { AGENT_TYPES, type ModelCatalog, type ToolInfo } from "./types";
import { ModelOptions } from "./use-catalogues";

type FieldsProps = {
  form: AgentForm;
  onChange: (next: AgentForm) => void;
  catalog: ModelCatalog | null;
  tools: ToolInfo[] | null;
};

export function AgentFields({ form, onChange, catalog, tools }: FieldsProps) {
  const set = <K extends keyof AgentForm>(key: K, value: AgentForm[K]) => onChange({ ...form, [key]: value });
  return (
    <>
      <div className="form-grid">
        <Field
          label="Name"
          maxLength={100}
          value={form.name}
          onChange={(e) => set("name", e.target.value)}
          data-testid="agent-name"
        />
        <div className="field">
          <label htmlFor="agent-type">Type</label>
          <select id="agent-type" value={form.type} onChange={(e) => set("type", toAgentType(e.target.value))}>
            {AGENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="form-grid">
        <Field
          label="Model"
          hint="provider:model. offline:assistant needs no key and runs tools typed as /tool_name {json}."
          list="agent-models"
          value={form.model}
          onChange={(e) => set("model", e.target.value)}
          data-testid="agent-model"
        />
        <Field
          label="Fallback models"
          hint="Tried in order when the model fails; comma-separated"
          list="agent-models"
          value={form.fallbackModels}
          onChange={(e) => set("fallbackModels", e.target.value)}
        />
      </div>
      <ModelOptions id="agent-models" catalog={catalog} />
      <div className="field">
        <label htmlFor="agent-prompt">System prompt</label>
        <textarea
          id="agent-prompt"
          rows={8}
          maxLength={20_000}
          value={form.systemPrompt}
          onChange={(e) => set("systemPrompt", e.target.value)}
          data-testid="agent-prompt"
        />
      </div>
      <ToolPicker available={tools} selected={form.tools} onChange={(next) => set("tools", next)} />
      <fieldset className="agent-settings">
        <legend>Settings (empty: the system default)</legend>
        <div className="settings-grid">
          {NUMBER_SETTINGS.map((setting) => (
            <Field
              key={setting.key}
              label={setting.label}
              hint={setting.hint}
              type="number"
              inputMode="decimal"
              min={setting.min}
              max={setting.max}
              step={setting.step}
              value={form.numbers[setting.key]}
              onChange={(e) => set("numbers", { ...form.numbers, [setting.key]: e.target.value })}
            />
          ))}
        </div>
        <div className="inline-actions">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.memoryRetrieval}
              onChange={(e) => set("memoryRetrieval", e.target.checked)}
            />
            Retrieve from memory before answering
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.active}
              onChange={(e) => set("active", e.target.checked)}
              data-testid="agent-active"
            />
            Active (inactive agents cannot start turns)
          </label>
        </div>
      </fieldset>
    </>
  );
}
