/** /webhooks: subscriptions with their delivery log (secret shown once), and /dead-letters with replay. */
import { type FormEvent, useCallback, useState } from "react";
import { Alert, Button, Field } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { StatusPill } from "./progress-bar";
import type { DeadLetter, Delivery, Webhook } from "./types";

function CreateWebhook({ onCreated }: { onCreated: (secret: string | null) => void }) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState("webhook");
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState("task.failed, workflow");
  const create = useAction(automationApi.createWebhook);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const eventTypes = types
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const created = await create.run({ name, kind, url: kind === "email" ? undefined : url, event_types: eventTypes });
    if (created) onCreated(created.secret);
  };
  return (
    <form className="card form-grid" onSubmit={submit}>
      <h2>New webhook</h2>
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
      <label className="field">
        <span>Kind</span>
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="webhook">Webhook (signed JSON)</option>
          <option value="slack">Slack</option>
          <option value="discord">Discord</option>
          <option value="email">Email to me</option>
        </select>
      </label>
      {kind === "email" ? null : (
        <Field label="URL" value={url} onChange={(e) => setUrl(e.target.value)} required type="url" />
      )}
      <Field label="Events" value={types} onChange={(e) => setTypes(e.target.value)} hint="Types, topics (task) or *" />
      {create.error ? <Alert kind="error">{create.error}</Alert> : null}
      <Button type="submit" busy={create.busy}>
        Subscribe
      </Button>
    </form>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const pages = usePages<Delivery>(useCallback(() => automationApi.deliveries(webhookId), [webhookId]));
  return (
    <PagedList pages={pages} loadingLabel="Loading deliveries…" empty="No deliveries yet.">
      {(items) => (
        <ul className="small">
          {items.map((d) => (
            <li key={d.id}>
              {formatDateTime(d.created_at)} · {d.event_type} · <StatusPill status={d.status} /> · {d.attempts}{" "}
              attempt(s)
              {d.last_status_code ? ` · HTTP ${d.last_status_code}` : ""}
              {d.last_error ? ` · ${d.last_error}` : ""}
            </li>
          ))}
        </ul>
      )}
    </PagedList>
  );
}

export function WebhooksPage() {
  const hooks = usePages<Webhook>(useCallback((cursor: string | null) => automationApi.listWebhooks(cursor), []));
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed deliveries, retried with backoff; endpoints that keep failing are disabled."
      />
      {secret ? (
        <Alert kind="success" title="Signing secret (shown once)">
          <code>{secret}</code>
        </Alert>
      ) : null}
      <CreateWebhook
        onCreated={(value) => {
          setSecret(value);
          hooks.reload();
        }}
      />
      <section className="card">
        <h2>Your webhooks</h2>
        <PagedList pages={hooks} loadingLabel="Loading webhooks…" empty="No webhooks yet.">
          {(items) => (
            <table className="table">
              <tbody>
                {items.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <div className="strong">
                        {h.name} <span className="muted small">{h.kind}</span>
                      </div>
                      <div className="small muted">
                        {h.url ?? "your email"} · {h.event_types.join(", ")}
                      </div>
                      {h.disabled_reason ? <div className="small error-text">Disabled: {h.disabled_reason}</div> : null}
                      {open === h.id ? <Deliveries webhookId={h.id} /> : null}
                    </td>
                    <td>{h.enabled ? "on" : "off"}</td>
                    <td className="actions">
                      <Button size="sm" variant="secondary" onClick={() => setOpen(open === h.id ? null : h.id)}>
                        Deliveries
                      </Button>
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => void automationApi.setWebhookEnabled(h.id, !h.enabled).then(hooks.replace)}
                      >
                        {h.enabled ? "Disable" : "Enable"}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </>
  );
}

export function DeadLettersPage() {
  const letters = usePages<DeadLetter>(
    useCallback((cursor: string | null) => automationApi.listDeadLetters(cursor), []),
  );
  const replay = useAction(automationApi.replayDeadLetter);
  const onReplay = async (letter: DeadLetter) => {
    const result = await replay.run(letter.id);
    if (result) letters.replace(result.dead_letter);
  };
  return (
    <>
      <PageHeader
        title="Dead letters"
        description="Tasks, deliveries and runs that gave up after their retries. Replay re-queues the original."
      />
      {replay.error ? <Alert kind="error">{replay.error}</Alert> : null}
      <section className="card">
        <PagedList pages={letters} loadingLabel="Loading dead letters…" empty="Nothing has given up.">
          {(items) => (
            <table className="table">
              <tbody>
                {items.map((letter) => (
                  <tr key={letter.id}>
                    <td>
                      <div className="strong">{letter.summary}</div>
                      <div className="small error-text">{letter.error}</div>
                      <div className="small muted">
                        {letter.source} · {letter.attempts} attempt(s) · {formatDateTime(letter.created_at)}
                        {letter.replay_count ? ` · replayed ${letter.replay_count}×` : ""}
                      </div>
                    </td>
                    <td className="actions">
                      <Button size="sm" busy={replay.busy} onClick={() => void onReplay(letter)}>
                        Replay
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </>
  );
}
