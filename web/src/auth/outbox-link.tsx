/**
 * In development, mail goes to the outbox instead of an inbox; this shows a link
 * to it when (and only when) the outbox route exists on this server.
 */
import { useEffect, useState } from "react";
import { Link } from "../ui/router";
import { authApi } from "./api";

export function useOutboxAvailable(email: string): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    if (!email) return;
    const controller = new AbortController();
    // The route answers 404 outside development, so a successful read is the signal.
    authApi.outbox(email, controller.signal).then(
      () => setAvailable(true),
      () => setAvailable(false),
    );
    return () => controller.abort();
  }, [email]);
  return available;
}

export function DevOutboxHint({ email }: { email: string }) {
  const available = useOutboxAvailable(email);
  if (!available) return null;
  return (
    <div className="dev-hint">
      <span className="badge badge-warning">Development</span>
      <span>
        Mail is not sent here; it lands in the{" "}
        <Link to={`/outbox?to=${encodeURIComponent(email)}`} data-testid="outbox-link">
          development outbox
        </Link>
        .
      </span>
    </div>
  );
}
