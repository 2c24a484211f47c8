/** Connecting a remote MCP server (Streamable HTTP) as an extension: its tools become `<name>__<tool>`. */
import { type FormEvent, useCallback, useState } from "react";
import { Alert, Button, Field } from "../ui/form";
import { useAction } from "../ui/use-action";
import { toolsApi } from "./api";
import type { McpInput } from "./types";

export function McpForm({ onConnected }: { onConnected: () => void }) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const action = useAction(useCallback((input: McpInput) => toolsApi.connectMcp(input), []));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input: McpInput = { kind: "mcp", name: name.trim(), url: url.trim() };
    if (token.trim()) input.bearer_token = token.trim();
    if (await action.run(input)) {
      setName("");
      setUrl("");
      setToken("");
      onConnected();
    }
  };

  return (
    <form className="card card-padded form mcp-form" onSubmit={submit} noValidate>
      <h3>Connect an MCP server</h3>
      <p className="muted small">Edgewise lists the server's tools; agents can then use them like built-ins.</p>
      {action.error ? <Alert kind="error">{action.error}</Alert> : null}
      <Field
        label="Name"
        hint="Lower-case letters, digits and -"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <Field label="URL" placeholder="https://example.com/mcp" value={url} onChange={(e) => setUrl(e.target.value)} />
      <Field
        label="Bearer token (optional)"
        type="password"
        autoComplete="off"
        hint="Stored encrypted, never shown again"
        value={token}
        onChange={(e) => setToken(e.target.value)}
      />
      <div>
        <Button type="submit" busy={action.busy} disabled={!name.trim() || !url.trim()}>
          Connect
        </Button>
      </div>
    </form>
  );
}
