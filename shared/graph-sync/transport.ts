/**
 * How the sync client reaches the authority, and how it waits when it cannot:
 * a transport (HTTP here; tests and the simulation plug in their own) whose
 * failures say whether retrying can help, and exponential backoff with jitter.
 */
import {
  type PullRequest,
  type PullResponse,
  PullResponse as PullResponseSchema,
  type PushRequest,
  type PushResponse,
  PushResponse as PushResponseSchema,
} from "./protocol";

export interface SyncTransport {
  push(request: PushRequest): Promise<PushResponse>;
  pull(request: PullRequest): Promise<PullResponse>;
}

/** A failed exchange. `retryable`: the network, a timeout, 429 or 5xx; anything else will fail again. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly code: string | null = null,
    readonly details: Record<string, unknown> | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

export type Backoff = { baseMs: number; maxMs: number; random: () => number };

/** Exponential backoff with "equal jitter": half the step fixed, half random; a server's Retry-After wins. */
export function backoffDelay(attempt: number, backoff: Backoff, retryAfterMs: number | null = null): number {
  if (retryAfterMs !== null) return Math.min(backoff.maxMs, retryAfterMs);
  const step = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
  return step / 2 + (backoff.random() * step) / 2;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export type HttpTransportOptions = {
  /** The server, e.g. https://edgewise.example.com */
  baseUrl: string;
  /** Credentials for each request, e.g. `{authorization: "Bearer …"}` or `{"x-api-key": …}`. */
  headers: () => Record<string, string> | Promise<Record<string, string>>;
  fetch?: typeof fetch;
  timeoutMs?: number;
};

/** The protocol over /api/v1/graph/sync with fetch (browsers, Node, Workers). */
export function httpTransport(options: HttpTransportOptions): SyncTransport {
  const doFetch = options.fetch ?? fetch;
  const post = async (path: string, body: unknown) => {
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl.replace(/\/$/, "")}/api/v1/graph/sync/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await options.headers()) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new TransportError(`network: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.ok && json) return json;
    const envelope = (json?.error ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new TransportError(
      envelope.message ?? `HTTP ${response.status}`,
      isRetryableStatus(response.status),
      response.status,
      envelope.code ?? null,
      envelope.details ?? null,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
    );
  };
  return {
    push: async (request) => PushResponseSchema.parse(await post("push", request)),
    pull: async (request) => PullResponseSchema.parse(await post("pull", request)),
  };
}
