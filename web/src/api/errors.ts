/**
 * ApiError: every failed call, built from the API's `{error:{code,message,details}}`
 * envelope (or from a network failure). Forms show `describeError(error)`.
 */

export type ValidationIssue = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Field problems of a 400 validation_failed, for messages like "password: Use at least 10 characters". */
  get issues(): ValidationIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.flatMap((item: unknown) =>
      isRecord(item) && typeof item.path === "string" && typeof item.message === "string"
        ? [{ path: item.path, message: item.message }]
        : [],
    );
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an error response; a body that is not the envelope (a proxy's HTML page, say) still gives a clear error. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: fall through to the generic message.
  }
  const envelope = isRecord(body) && isRecord(body.error) ? body.error : null;
  if (envelope && typeof envelope.code === "string" && typeof envelope.message === "string") {
    return new ApiError(res.status, envelope.code, envelope.message, envelope.details ?? null);
  }
  return new ApiError(res.status, "http_error", `The server answered ${res.status} ${res.statusText}`.trim());
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, "network_error", "Cannot reach the server; check your connection and try again");
  error.cause = cause;
  return error;
}

/** One human sentence for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const issues = error.issues.map((issue) => `${issue.path === "(root)" ? "" : `${issue.path}: `}${issue.message}`);
    // The envelope's message for validation is generic ("Invalid json"); the issues say what to fix.
    return issues.length ? issues.join("; ") : error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
