/**
 * /outbox?to=…: the development mailbox (GET /api/v1/dev/outbox). Lists the mail
 * sent to one address, newest first, with its links clickable, so the sign-up and
 * reset flows can be finished locally. Polls while open: mail is queued, then sent.
 */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, describeError } from "../api/errors";
import type { OutboxMessage } from "../api/types";
import { authApi } from "../auth/api";
import { AuthLayout } from "../ui/auth-layout";
import { Alert, Button, Field, Spinner } from "../ui/form";
import { navigate, useLocation } from "../ui/router";
import { MessageCard } from "./message-card";

const POLL_MS = 3000;

export function OutboxPage() {
  const to = useLocation().query.get("to") ?? "";
  return (
    <AuthLayout
      wide
      title="Development outbox"
      subtitle="Mail this server would send. It exists only in development; production delivers real email."
    >
      <AddressForm initial={to} />
      {to ? <Mailbox key={to} to={to} /> : null}
    </AuthLayout>
  );
}

function AddressForm({ initial }: { initial: string }) {
  const [address, setAddress] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/outbox?to=${encodeURIComponent(address.trim())}`);
  };
  return (
    <form className="form-inline" onSubmit={submit}>
      <Field label="Address" type="email" value={address} onChange={(e) => setAddress(e.target.value)} />
      <Button type="submit" variant="secondary">
        Show mail
      </Button>
    </form>
  );
}

function Mailbox({ to }: { to: string }) {
  const [items, setItems] = useState<OutboxMessage[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setItems((await authApi.outbox(to, signal)).items);
        setError(null);
      } catch (caught) {
        if (!signal?.aborted) setError(caught);
      }
    },
    [to],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    const timer = window.setInterval(() => void load(controller.signal), POLL_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [load]);

  if (error instanceof ApiError && error.status === 404) {
    return <Alert kind="info">This server has no development outbox: it sends real email.</Alert>;
  }
  if (error) return <Alert kind="error">{describeError(error)}</Alert>;
  if (!items) return <Spinner label="Loading mail…" />;
  return (
    <section className="stack" data-testid="outbox-list">
      <div className="section-header">
        <h2>
          {items.length} message{items.length === 1 ? "" : "s"} to {to}
        </h2>
        <Button variant="ghost" size="sm" onClick={() => void load()}>
          Refresh
        </Button>
      </div>
      {items.length === 0 ? <p className="empty">No mail yet. This page refreshes by itself.</p> : null}
      {items.map((message) => (
        <MessageCard key={message.id} message={message} />
      ))}
    </section>
  );
}
