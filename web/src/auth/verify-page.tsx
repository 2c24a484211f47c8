/** /verify?token=…: the link from the verification email; verifies, then offers login. */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors";
import type { User } from "../api/types";
import { AuthLayout } from "../ui/auth-layout";
import { Alert, Spinner } from "../ui/form";
import { Link, useLocation } from "../ui/router";
import { authApi } from "./api";

type State = { status: "verifying" } | { status: "done"; user: User } | { status: "failed"; message: string };

// Tokens are single-use: share one request per token, even if the page mounts twice (StrictMode, back button).
const verifications = new Map<string, Promise<User>>();

function verifyOnce(token: string): Promise<User> {
  let pending = verifications.get(token);
  if (!pending) {
    pending = authApi.verifyEmail(token);
    verifications.set(token, pending);
    // A failed attempt may be retried (after a network error, say).
    pending.catch(() => verifications.delete(token));
  }
  return pending;
}

export function VerifyPage() {
  const token = useLocation().query.get("token") ?? "";
  const [state, setState] = useState<State>({ status: "verifying" });

  useEffect(() => {
    if (!token) {
      setState({ status: "failed", message: "This link has no token. Open the link from the email again." });
      return;
    }
    let live = true;
    verifyOnce(token).then(
      (user) => live && setState({ status: "done", user }),
      (error: unknown) => live && setState({ status: "failed", message: describeError(error) }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <AuthLayout title="Verify your email">
      {state.status === "verifying" ? <Spinner label="Verifying your email…" /> : null}
      {state.status === "done" ? (
        <div className="stack" data-testid="verify-success">
          <Alert kind="success" title="Email verified">
            {state.user.email} is confirmed. You can log in now.
          </Alert>
          <Link
            className="button button-primary button-block"
            to={`/login?email=${encodeURIComponent(state.user.email)}`}
            data-testid="verify-login"
          >
            Log in
          </Link>
        </div>
      ) : null}
      {state.status === "failed" ? (
        <div className="stack" data-testid="verify-failed">
          <Alert kind="error" title="We could not verify this link">
            {state.message}
          </Alert>
          <p className="muted">
            Links expire after 24 hours and work once. Log in with your address to ask for a new one.
          </p>
          <Link className="button button-secondary button-block" to="/login">
            Go to log in
          </Link>
        </div>
      ) : null}
    </AuthLayout>
  );
}
