/** /register: name, email and password; then /register/check-email tells the user to open the link. */
import { type FormEvent, useState } from "react";
import { AuthLayout } from "../ui/auth-layout";
import { Alert, Button, Field } from "../ui/form";
import { Link, navigate, useLocation } from "../ui/router";
import { useAction } from "../ui/use-action";
import { authApi } from "./api";
import { DevOutboxHint } from "./outbox-link";
import { ResendVerification } from "./resend-verification";

export function RegisterPage() {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction(authApi.register);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const user = await action.run({ name, email, password });
    if (user) navigate(`/register/check-email?email=${encodeURIComponent(user.email)}`);
  };

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Edgewise runs your agents and automations at the edge."
      footer={
        <>
          Already registered? <Link to="/login">Log in</Link>
        </>
      }
    >
      {action.error ? (
        <Alert kind="error" testId="register-error">
          {action.error}
        </Alert>
      ) : null}
      <form className="form" onSubmit={submit} noValidate>
        <Field
          label="Name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="register-name"
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="register-email"
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters. A few unrelated words make a strong one."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="register-password"
        />
        <Button type="submit" busy={action.busy} className="button-block" data-testid="register-submit">
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}

export function CheckEmailPage() {
  const email = useLocation().query.get("email") ?? "";
  return (
    <AuthLayout title="Check your email" footer={<Link to="/login">Back to log in</Link>}>
      <div data-testid="check-email">
        <p>
          We sent a verification link to <strong>{email || "your address"}</strong>. Open it to activate your account,
          then log in.
        </p>
        {email ? <DevOutboxHint email={email} /> : null}
        <p className="muted">The link works for 24 hours. Nothing arrived?</p>
        {email ? <ResendVerification email={email} /> : null}
      </div>
    </AuthLayout>
  );
}
