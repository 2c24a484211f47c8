/** The new key's secret, shown once right after creation, with a copy button and how to use it. */
import type { CreatedApiKey } from "../../api/types";
import { CopyButton } from "../../ui/copy-button";
import { Button } from "../../ui/form";

export function SecretBox({ created, onDismiss }: { created: CreatedApiKey; onDismiss: () => void }) {
  return (
    <section className="card card-padded secret-box" data-testid="key-secret-box">
      <div className="secret-header">
        <h2>Your new key “{created.key.name}”</h2>
        <Button variant="ghost" size="sm" onClick={onDismiss} data-testid="key-secret-dismiss">
          I have stored it
        </Button>
      </div>
      <p className="secret-warning">
        <strong>Copy it now.</strong> This is the only time the secret is shown; we keep only a hash of it. If you lose
        it, revoke the key and create another.
      </p>
      <div className="secret-row">
        <code className="secret" data-testid="key-secret">
          {created.secret}
        </code>
        <CopyButton text={created.secret} testId="key-secret-copy" />
      </div>
      <p className="muted small">
        Use it as a bearer token:{" "}
        <code>
          curl -H "Authorization: Bearer {created.key.prefix}…" {window.location.origin}/api/v1/me
        </code>
      </p>
    </section>
  );
}
