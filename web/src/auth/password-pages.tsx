/** /forgot-password (ask for a reset link) and /reset-password?token=… (choose a new password). */
import { type FormEvent, useState } from "react";
import { AuthLayout } from "../ui/auth-layout";
import { Alert, Button, Field } from "../ui/form";
import { Link, useLocation } from "../ui/router";
import { useAction } from "../ui/use-action";
import { authApi } from "./api";
import { DevOutboxHint } from "./outbox-link";

export function ForgotPasswordPage() {
  const [email, setEmail] = useState(useLocation().query.get("email") ?? "");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction(authApi.requestPasswordReset);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(email)) setSentTo(email.trim().toLowerCase());
  };

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="We will email you a link to choose a new password."
      footer={<Link to="/login">Back to log in</Link>}
    >
      {sentTo ? (
        <div className="stack" data-testid="reset-requested">
          <Alert kind="success">
            If an account exists for {sentTo}, a reset link is on its way. It works for one hour.
          </Alert>
          <DevOutboxHint email={sentTo} />
        </div>
      ) : (
        <>
          {action.error ? <Alert kind="error">{action.error}</Alert> : null}
          <form className="form" onSubmit={submit} noValidate>
            <Field
              label="Email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <Button type="submit" busy={action.busy} className="button-block">
              Send reset link
            </Button>
          </form>
        </>
      )}
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  const token = useLocation().query.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const action = useAction(authApi.confirmPasswordReset);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== confirm);
    if (password !== confirm) return;
    if (await action.run(token, password)) setDone(true);
  };

  if (done) {
    return (
      <AuthLayout title="Password changed">
        <div className="stack">
          <Alert kind="success">Your password is changed and every session has been signed out.</Alert>
          <Link className="button button-primary button-block" to="/login">
            Log in
          </Link>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Choose a new password" footer={<Link to="/forgot-password">Ask for a new link</Link>}>
      {!token ? <Alert kind="error">This link has no token. Open the link from the email again.</Alert> : null}
      {mismatch ? <Alert kind="error">The two passwords differ.</Alert> : null}
      {action.error ? <Alert kind="error">{action.error}</Alert> : null}
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          hint="At least 10 characters."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Field
          label="Repeat it"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <Button type="submit" busy={action.busy} disabled={!token} className="button-block">
          Change password
        </Button>
      </form>
    </AuthLayout>
  );
}
