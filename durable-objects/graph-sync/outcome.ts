/**
 * Expected failures of the graph engine. Inside a transaction they are thrown as
 * `GraphError` (which rolls the whole batch back); across the Durable Object's RPC
 * boundary they travel as `{ok:false, status, code, message, details}` values,
 * which the Worker turns into the error envelope (worker/features/graph/service.ts).
 */

export type FailureStatus = 400 | 404 | 409 | 413 | 422;

export type Failure = {
  ok: false;
  status: FailureStatus;
  code: string;
  message: string;
  details: Record<string, unknown> | null;
};
export type Outcome<T> = { ok: true; value: T } | Failure;

export class GraphError extends Error {
  constructor(
    readonly status: FailureStatus,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = "GraphError";
  }

  toFailure(): Failure {
    return { ok: false, status: this.status, code: this.code, message: this.message, details: this.details };
  }
}

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

/** Runs `fn`, turning a thrown GraphError into a failure value; anything else is a bug and is rethrown. */
export function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return ok(fn());
  } catch (error) {
    if (error instanceof GraphError) return error.toFailure();
    throw error;
  }
}

export const notFound = (what: "entity" | "relationship" | "conflict" | "attachment", id: string) =>
  new GraphError(404, `unknown_${what}`, `No such ${what} in your graph`, { id });
