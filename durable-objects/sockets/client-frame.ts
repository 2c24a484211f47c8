/**
 * Reading a client's WebSocket frame, for every object that holds sockets: a JSON
 * text frame under a byte limit that fits the object's zod union, or the error
 * frame that answers it. Client input is never trusted as `JSON.parse(x) as T`.
 */
import type { z } from "zod";

export type BadFrame = { type: "error"; code: "bad_frame"; message: string };

const bad = (message: string): { error: BadFrame } => ({ error: { type: "error", code: "bad_frame", message } });

export function parseClientFrame<S extends z.ZodType>(
  raw: string | ArrayBuffer,
  schema: S,
  maxBytes: number,
): { frame: z.infer<S> } | { error: BadFrame } {
  // The limit is in bytes: a string's length counts UTF-16 units, so multi-byte text would slip past it.
  if (typeof raw !== "string" || raw.length > maxBytes || new TextEncoder().encode(raw).byteLength > maxBytes) {
    return bad(`Send JSON text frames under ${maxBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return bad("Frame is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  return bad(`${where}${issue?.message ?? "Unknown frame"}`);
}
