/**
 * An installed extension's settings, drawn from its manifest's config_schema (strings,
 * numbers, booleans, enums). Secret fields (writeOnly) show only whether they are set and
 * are sent only when a new value is typed. Saves with PATCH /extensions/{id} {config}.
 */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api/errors";
import { Alert, Button } from "../ui/form";
import { useAction } from "../ui/use-action";
import { toolsApi } from "./api";
import type { Extension } from "./types";

type Property = { type?: unknown; enum?: unknown[]; description?: string; default?: unknown; writeOnly?: boolean };
type Kind = "string" | "number" | "boolean" | "enum" | "secret";
type Setting = { key: string; kind: Kind; property: Property };
type Values = Record<string, string | boolean>;

/** The fields of a config schema, in schema order. */
export function settingsOf(schema: Record<string, unknown>): Setting[] {
  const properties = (schema.properties ?? {}) as Record<string, Property>;
  return Object.entries(properties).map(([key, property]) => ({ key, kind: kindOf(property), property }));
}

function kindOf(property: Property): Kind {
  if (property.writeOnly) return "secret";
  if (Array.isArray(property.enum)) return "enum";
  if (property.type === "boolean") return "boolean";
  if (property.type === "number" || property.type === "integer") return "number";
  return "string";
}

function initialValues(settings: Setting[], config: Record<string, unknown>): Values {
  return Object.fromEntries(
    settings.map(({ key, kind, property }) => {
      const value = config[key] ?? property.default;
      if (kind === "boolean") return [key, value === true];
      return [key, kind === "secret" || value === undefined || value === null ? "" : String(value)];
    }),
  );
}

/**
 * Only what changed; an emptied field is removed (null), so its default applies again.
 * A secret starts empty, so it is sent only once something is typed.
 */
function patchOf(settings: Setting[], initial: Values, values: Values): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const { key, kind } of settings) {
    const value = values[key];
    if (value === initial[key]) continue;
    if (typeof value === "boolean") patch[key] = value;
    else if (value === "") patch[key] = null;
    // A number that does not parse is sent as typed, so the server's message explains it.
    else if (kind === "number") patch[key] = Number.isNaN(Number(value)) ? value : Number(value);
    else patch[key] = value;
  }
  return patch;
}

/** A failed save's issues that name a field (shown under it), and the message for the rest. */
function failureOf(save: { failure: unknown; error: string | null }, settings: Setting[]) {
  const fieldIssues = save.failure instanceof ApiError ? save.failure.issues : [];
  const issues = fieldIssues.filter((issue) => settings.some((s) => s.key === issue.path.split(".")[0]));
  const unexplained = issues.length < fieldIssues.length || !fieldIssues.length;
  return { issues, error: unexplained ? save.error : null };
}

export function ExtensionSettings({ extension, onSaved }: { extension: Extension; onSaved: () => void }) {
  const settings = settingsOf(extension.config_schema);
  const [initial, setInitial] = useState(() => initialValues(settings, extension.config));
  const [values, setValues] = useState(initial);
  const [secrets, setSecrets] = useState(extension.secrets);
  const [saved, setSaved] = useState(false);
  const patch = patchOf(settings, initial, values);
  const save = useAction(() => toolsApi.configure(extension.id, patch));
  const { issues, error } = failureOf(save, settings);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const updated = await save.run();
    if (!updated) return;
    const next = initialValues(settings, updated.config);
    setInitial(next);
    setValues(next);
    setSecrets(updated.secrets);
    setSaved(true);
    onSaved();
  };

  const set = (key: string, value: string | boolean) => {
    setValues((current) => ({ ...current, [key]: value }));
    setSaved(false);
  };

  return (
    <form className="form extension-settings" onSubmit={submit} noValidate data-testid="extension-settings">
      {error ? <Alert kind="error">{error}</Alert> : null}
      {saved ? (
        <Alert kind="success" testId="settings-saved">
          Settings saved.
        </Alert>
      ) : null}
      {settings.map((setting) => (
        <SettingField
          key={setting.key}
          setting={setting}
          value={values[setting.key] ?? ""}
          configured={secrets[setting.key]?.configured ?? false}
          error={issues.find((issue) => issue.path.split(".")[0] === setting.key)?.message}
          onChange={(value) => set(setting.key, value)}
        />
      ))}
      <div>
        <Button
          type="submit"
          size="sm"
          busy={save.busy}
          disabled={!Object.keys(patch).length}
          data-testid="settings-save"
        >
          Save settings
        </Button>
      </div>
    </form>
  );
}

type SettingFieldProps = {
  setting: Setting;
  value: string | boolean;
  configured: boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
};

function SettingField({ setting: { key, kind, property }, value, configured, error, onChange }: SettingFieldProps) {
  const id = `setting-${key}`;
  const common = { id, "data-testid": id, "aria-invalid": error ? true : undefined };
  const hint = kind === "secret" ? `${configured ? "set" : "not set"} · stored encrypted, never shown` : null;
  let control = (
    <input
      {...common}
      type={kind === "number" ? "number" : kind === "secret" ? "password" : "text"}
      autoComplete="off"
      placeholder={kind === "secret" && configured ? "Type a new value to replace it" : undefined}
      value={String(value)}
      onChange={(e) => onChange(e.target.value)}
    />
  );
  if (kind === "enum")
    control = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        <option value="">(default)</option>
        {(property.enum ?? []).map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  if (kind === "boolean")
    return (
      <label className="checkbox" title={property.description}>
        <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        {key}
        {error ? <span className="text-error small">{error}</span> : null}
      </label>
    );
  return (
    <div className="field">
      <label htmlFor={id}>{key}</label>
      {control}
      {property.description ? <p className="field-hint">{property.description}</p> : null}
      {hint ? (
        <p className="field-hint" data-testid={`secret-${key}`} data-configured={configured}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="text-error small" data-testid={`setting-error-${key}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
