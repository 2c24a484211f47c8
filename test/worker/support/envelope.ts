/**
 * Assertions on the one error model: every failure leaves as
 * `{error:{code,message,details}}` with the status that names it.
 * Used by the identity suites (auth, keys, RBAC, rate limits, audit, bad input, cross-tenant).
 */
import { expect } from "vitest";

export type ErrorEnvelope = { error: { code: string; message: string; details: unknown } };

/** True when `body` is exactly the envelope: an `error` with a string code and message and a `details` key. */
export function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string" &&
    "details" in error
  );
}

/** Reads the response and asserts its status, the envelope shape and (if given) the error code. */
export async function expectError(res: Response, status: number, code?: string): Promise<ErrorEnvelope> {
  const text = await res.text();
  expect(res.status, `${res.status} ${text}`).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(text);
  expect(isErrorEnvelope(body), text).toBe(true);
  if (code !== undefined) expect((body as ErrorEnvelope).error.code, text).toBe(code);
  return body as ErrorEnvelope;
}
