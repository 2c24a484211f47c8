/**
 * The CLI's one error type and its exit codes. Commands throw `CliError`;
 * main.ts prints `error: <message> (<code>)` to stderr and exits with its code.
 */

export const EXIT = {
  ok: 0,
  /** Bad usage, an API error, an unreachable server. */
  failure: 1,
  /** No credentials, or the server refused them: log in again or fix the API key. */
  authNeeded: 2,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    /** Extra lines printed under the message (validation issues, hints). */
    readonly hints: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** An error answered by the API, with its HTTP status and envelope. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details: unknown,
    hints: readonly string[] = [],
    /** From `Retry-After` on a 429. */
    readonly retryAfter?: number,
  ) {
    super(code, message, status === 401 ? EXIT.authNeeded : EXIT.failure, hints);
    this.name = "ApiError";
  }
}

export function notLoggedIn(baseUrl: string): CliError {
  return new CliError("not_logged_in", `not logged in to ${baseUrl}`, EXIT.authNeeded, [
    "run `edgewise login`, or pass --api-key / set EDGEWISE_API_KEY",
  ]);
}
