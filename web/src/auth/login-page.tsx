/** /login: email and password; explains unverified accounts and offers a new link. */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api/errors";
import { takeEndNotice } from "../api/session-store";
import { AuthLayout } from "../ui/auth-layout";
import { Alert, Button, Field } from "../ui/form";
import { Link, useLocation } from "../ui/router";
import { useAction } from "../ui/use-action";
import { DevOutboxHint } from "./outbox-link";
import { ResendVerification } from "./resend-verification";
import { useSession } from "./session";

export function LoginPage() {
  const { query } = useLocation();
  const { login } = useSession();
  const [email, setEmail] = useState(query.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [notice] = useState(
    () => takeEndNotice() ?? (query.get("verified") ? "Email verified. Log in to continue." : null),
  );
  const action = useAction(login);
  const unverified = action.failure instanceof ApiError && action.failure.code === "email_not_verified";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // On success the session changes and app.tsx moves on to the console.
    void action.run(email, password);
  };

  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back to the Edgewise console."
      footer={
        <>
          New here? <Link to="/register">Create an account</Link>
        </>
      }
    >
      {notice ? <Alert kind="info">{notice}</Alert> : null}
      {unverified ? (
        <Alert kind="warning" title="Verify your email first" testId="login-error">
          We sent a link to {email}. Open it, then log in.
          <ResendVerification email={email} />
          <DevOutboxHint email={email} />
        </Alert>
      ) : action.error ? (
        <Alert kind="error" testId="login-error">
          {action.error}
        </Alert>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="login-email"
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="login-password"
        />
        <div className="form-row-end">
          <Link to={`/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ""}`}>Forgot password?</Link>
        </div>
        <Button type="submit" busy={action.busy} className="button-block" data-testid="login-submit">
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
