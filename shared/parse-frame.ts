/**
 * Reading a server's WebSocket frame on the client side (console and CLI): a JSON
 * text frame that fits the protocol's zod union, or null. A frame that is not JSON or
 * of a type this client does not know is skipped, so a newer server can add frames.
 */
import type { z } from "zod";

export function parseJsonFrame<T>(schema: z.ZodType<T>, data: unknown): T | null {
  if (typeof data !== "string") return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
