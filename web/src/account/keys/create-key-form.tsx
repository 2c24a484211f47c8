/** Creating an API key: a name, its scopes and an optional expiry. The parent shows the secret. */
import { type FormEvent, useState } from "react";
import type { CreatedApiKey } from "../../api/types";
import { Alert, Button, Field } from "../../ui/form";
import { useAction } from "../../ui/use-action";
import { accountApi, type CreateKeyInput } from "../api";
import { ScopePicker } from "./scope-picker";

const EXPIRY_CHOICES = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "custom", label: "On a date…" },
] as const;
type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

const DAY_MS = 86_400_000;

const toChoice = (value: string): ExpiryChoice => EXPIRY_CHOICES.find((c) => c.value === value)?.value ?? "never";

/** The expiry as an ISO timestamp, or undefined for "never"; a custom date ends at that day's local midnight. */
function expiryFor(choice: ExpiryChoice, date: string): string | undefined {
  if (choice === "never") return undefined;
  if (choice === "custom") return date ? new Date(`${date}T23:59:59`).toISOString() : undefined;
  return new Date(Date.now() + Number(choice) * DAY_MS).toISOString();
}

export function CreateKeyForm({
  available,
  onCreated,
}: {
  available: string[];
  onCreated: (key: CreatedApiKey) => void;
}) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<string>>(() => new Set(available.filter((s) => s.endsWith(":read"))));
  const [expiry, setExpiry] = useState<ExpiryChoice>("never");
  const [date, setDate] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction(accountApi.createKey);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = expiryFor(expiry, date);
    if (!name.trim()) return setProblem("Give the key a name, so you know later where it is used.");
    if (!scopes.size) return setProblem("Choose at least one scope.");
    if (expiry === "custom" && !expiresAt) return setProblem("Pick the day the key should stop working.");
    setProblem(null);
    // The scopes offered are the user's own (from /me); the server checks them again.
    const input: CreateKeyInput = { name: name.trim(), scopes: [...scopes] as CreateKeyInput["scopes"] };
    if (expiresAt) input.expires_at = expiresAt;
    const created = await action.run(input);
    if (created) {
      setName("");
      onCreated(created);
    }
  };

  return (
    <section className="card card-padded">
      <h2>Create an API key</h2>
      <p className="muted small">For scripts, the CLI and other services. Give each one only the scopes it needs.</p>
      {problem || action.error ? (
        <Alert kind="error" testId="key-error">
          {problem ?? action.error}
        </Alert>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-grid">
          <Field
            label="Name"
            placeholder="e.g. CI deploys"
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="key-name"
          />
          <div className="field">
            <label htmlFor="key-expiry">Expires</label>
            <div className="inline-actions">
              <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(toChoice(e.target.value))}>
                {EXPIRY_CHOICES.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </select>
              {expiry === "custom" ? (
                <input type="date" aria-label="Expiry date" value={date} onChange={(e) => setDate(e.target.value)} />
              ) : null}
            </div>
          </div>
        </div>
        <ScopePicker available={available} selected={scopes} onChange={setScopes} />
        <div>
          <Button type="submit" busy={action.busy} data-testid="key-create">
            Create key
          </Button>
        </div>
      </form>
    </section>
  );
}
