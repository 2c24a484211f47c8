/** The message box under the conversation: Enter sends, Shift+Enter breaks the line; Cancel while a turn runs. */
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Button } from "../ui/form";

type ComposerProps = {
  disabled: string | null;
  turnId: string | null;
  onSend: (content: string) => Promise<void>;
  onCancel: (turnId: string) => Promise<void>;
};

export function Composer({ disabled, turnId, onSend, onCancel }: ComposerProps) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<void>, clear: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (clear) setText("");
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || turnId || disabled) return;
    void run(() => onSend(content), true);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      {error ? (
        <Alert kind="error" testId="chat-error">
          {error}
        </Alert>
      ) : null}
      <textarea
        aria-label="Message"
        rows={3}
        placeholder={disabled ?? 'Ask something, or run a tool directly: /calculator {"expression":"6*7"}'}
        value={text}
        disabled={disabled !== null}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        data-testid="chat-input"
      />
      <div className="composer-actions">
        <span className="muted small">Enter to send, Shift+Enter for a new line</span>
        {turnId ? (
          <Button
            variant="secondary"
            busy={busy}
            onClick={() => void run(() => onCancel(turnId), false)}
            data-testid="chat-cancel"
          >
            Cancel turn
          </Button>
        ) : (
          <Button type="submit" busy={busy} disabled={!text.trim() || disabled !== null} data-testid="chat-send">
            Send
          </Button>
        )}
      </div>
    </form>
  );
}
