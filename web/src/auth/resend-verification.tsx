/** "Send a new link" for an unverified address, used on the login and check-your-mail pages. */
import { useCallback, useState } from "react";
import { Button } from "../ui/form";
import { useAction } from "../ui/use-action";
import { authApi } from "./api";

export function ResendVerification({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const action = useAction(
    useCallback(async () => {
      await authApi.resendVerification(email);
      setSent(true);
    }, [email]),
  );
  return (
    <div className="inline-actions">
      <Button variant="secondary" size="sm" busy={action.busy} onClick={() => void action.run()}>
        {sent ? "Send another link" : "Send a new link"}
      </Button>
      {sent ? <span className="muted">A new link is on its way.</span> : null}
      {action.error ? <span className="text-error">{action.error}</span> : null}
    </div>
  );
}
