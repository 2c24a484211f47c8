/** /account: who you are, what your role allows, and your display name. */
import { type FormEvent, useCallback, useState } from "react";
import { useSession, useUser } from "../auth/session";
import { Alert, Button, Field } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { useAction } from "../ui/use-action";
import { accountApi } from "./api";

export function ProfilePage() {
  const user = useUser();
  return (
    <>
      <PageHeader title="Profile" description="Your account and what it is allowed to do." />
      <div className="grid-2">
        <section className="card card-padded">
          <h2>Account</h2>
          <dl className="details">
            <dt>Email</dt>
            <dd>
              {user.email} {user.email_verified ? <span className="badge badge-success">verified</span> : null}
            </dd>
            <dt>Role</dt>
            <dd>
              <span className="badge">{user.role}</span>
            </dd>
            <dt>Member since</dt>
            <dd>{formatDateTime(user.created_at)}</dd>
            <dt>Last login</dt>
            <dd>{formatDateTime(user.last_login_at)}</dd>
            <dt>User id</dt>
            <dd>
              <code>{user.id}</code>
            </dd>
          </dl>
        </section>
        <NameForm initial={user.name} />
      </div>
      <section className="card card-padded">
        <h2>Permissions</h2>
        <p className="muted small">Granted by your role. API keys you create carry a subset of these.</p>
        <ul className="chips">
          {user.scopes.map((scope) => (
            <li key={scope} className="chip">
              {scope}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function NameForm({ initial }: { initial: string }) {
  const { reloadUser } = useSession();
  const [name, setName] = useState(initial);
  const [saved, setSaved] = useState(false);
  const action = useAction(
    useCallback(
      async (value: string) => {
        await accountApi.updateProfile(value);
        await reloadUser();
        return true;
      },
      [reloadUser],
    ),
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (await action.run(name)) setSaved(true);
  };

  return (
    <section className="card card-padded">
      <h2>Display name</h2>
      {action.error ? <Alert kind="error">{action.error}</Alert> : null}
      {saved ? <Alert kind="success">Saved.</Alert> : null}
      <form className="form" onSubmit={submit}>
        <Field
          label="Name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setSaved(false);
          }}
          data-testid="profile-name"
        />
        <div>
          <Button type="submit" busy={action.busy} disabled={name.trim() === initial} data-testid="profile-save">
            Save
          </Button>
        </div>
      </form>
    </section>
  );
}
