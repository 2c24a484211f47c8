/**
 * Short-lived tickets signed with HMAC: `<base64url JSON claims>.<signature>`.
 * Each purpose signs under its own key (`<secret>:<purpose>`), so a ticket made for
 * one socket cannot open another. Claims carry `exp` (epoch ms); single use is the
 * receiving object's check, since only it sees every connect.
 */
import type { z } from "zod";
import { hmacSign, hmacVerify } from "./crypto";
import { fromBase64Url, toBase64Url, utf8 } from "./encoding";

export async function signTicket<C extends { exp: number }>(
  secret: string,
  purpose: string,
  claims: C,
): Promise<string> {
  const payload = toBase64Url(utf8.encode(JSON.stringify(claims)));
  return `${payload}.${await hmacSign(`${secret}:${purpose}`, payload)}`;
}

/** The claims of a well-signed, unexpired ticket that fits `schema`; null for anything else. */
export async function readSignedTicket<S extends z.ZodType<{ exp: number }>>(
  secret: string,
  purpose: string,
  ticket: string,
  schema: S,
): Promise<z.infer<S> | null> {
  const [payload, signature, extra] = ticket.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  if (!(await hmacVerify(`${secret}:${purpose}`, payload, signature))) return null;
  try {
    const claims = schema.safeParse(JSON.parse(utf8.decode(fromBase64Url(payload))));
    return claims.success && claims.data.exp > Date.now() ? claims.data : null;
  } catch {
    return null;
  }
}
