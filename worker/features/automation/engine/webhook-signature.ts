/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the
 * subscription's secret, sent as `X-Edgewise-Signature: v1=<hex>` next to
 * `X-Edgewise-Timestamp: <unix seconds>`. Receivers recompute it, compare in
 * constant time and refuse timestamps older than a few minutes (replays).
 * docs/automation.md shows a receiver.
 */

import { hmacKey, timingSafeEqual } from "../../../lib/crypto";
import { toHex, utf8 } from "../../../lib/encoding";

export const SIGNATURE_HEADER = "x-edgewise-signature";
export const TIMESTAMP_HEADER = "x-edgewise-timestamp";

export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8.encode(`${timestamp}.${body}`));
  return `v1=${toHex(mac)}`;
}

/** What a receiver does; used by our tests' receiver and documented for users. */
export async function verifySignature(
  secret: string,
  headers: { timestamp: string | null; signature: string | null },
  body: string,
  now = Date.now(),
  toleranceSeconds = 300,
): Promise<boolean> {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  return timingSafeEqual(await signPayload(secret, timestamp, body), headers.signature);
}
