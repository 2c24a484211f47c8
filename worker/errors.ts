/**
 * The one error model of the API: every failure leaves as
 * `{error:{code,message,details}}` with the status that names it.
 * Handlers throw `AppError`; `app.onError` (app.ts) turns anything thrown into the envelope.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Default error codes for statuses raised by Hono or its middleware (HTTPException). */
const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable_entity",
  429: "rate_limited",
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? "error";
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

export function errorResponse(c: Context, err: AppError): Response {
  return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
}

/** One issue of a failed validation, as clients see it (never a raw ZodError). */
export type ValidationIssue = { path: string; message: string; code: string };

export function describeZodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
    code: issue.code,
  }));
}

/** OpenAPI schema of the envelope; every route lists it for its 4xx responses. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.unknown().nullable(),
    }),
  })
  .openapi("Error");
