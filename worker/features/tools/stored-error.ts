/** How a tool execution's error is stored (`{code, message}` as JSON) and read back; no dependencies, so the API schemas can map rows without loading the recorder. */
/** The stored error text: `{code, message}` as JSON, read back by `parseStoredError`. */
export function parseStoredError(text: string | null): { code: string; message: string } | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: String(parsed.code ?? "error"), message: String(parsed.message ?? "") };
  } catch {
    return { code: "error", message: text };
  }
}
