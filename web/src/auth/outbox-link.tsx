/**
 * In development, mail goes to the outbox instead of an inbox; this shows a link
 * to it when (and only when) the server says it runs in development.
 */
import { useEffect, useState } from "react";
import { Link } from "../ui/router";
import { authApi } from "./api";

export function useOutboxAvailable(email: string): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    if (!email) return;
    const controller = new AbortController();
    authApi.environment(controller.signal).then(
      (environment) => setAvailable(environment === "development"),
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
