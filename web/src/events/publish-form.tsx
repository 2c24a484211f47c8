/** Sends a user.message to your own feed (POST /api/v1/events); it comes back over the WebSocket. */
import { type FormEvent, useCallback, useState } from "react";
import { api } from "../api/client";
import type { HubEvent } from "../api/types";
import { Alert, Button } from "../ui/form";
import { useAction } from "../ui/use-action";

const publish = (text: string) => api.post<{ event: HubEvent }>("/events", { type: "user.message", data: { text } });

export function PublishForm() {
  const [text, setText] = useState("");
  const action = useAction(useCallback(publish, []));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (await action.run(text.trim())) setText("");
  };

  return (
    <section className="card card-padded">
      <h3>Publish a message</h3>
      <p className="muted small">Every console and CLI connected as you receives it.</p>
      {action.error ? <Alert kind="error">{action.error}</Alert> : null}
      <form className="form" onSubmit={submit}>
        <textarea
          aria-label="Message"
          rows={3}
          maxLength={4000}
          placeholder="Hello from the edge"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="publish-text"
        />
        <Button type="submit" busy={action.busy} disabled={!text.trim()} data-testid="publish-submit">
          Send
        </Button>
      </form>
    </section>
  );
}
