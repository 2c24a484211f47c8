/**
 * The one way the console calls the API: JSON in and out, the error envelope
 * turned into ApiError, and for authenticated calls the bearer token, renewed
 * shortly before it expires or once after a 401 (then the call is retried).
 */
import { ApiError, errorFromResponse, networkError } from "./errors";
import { refreshSession } from "./refresh";
import { clearSession, getSession, type StoredSession } from "./session-store";

type Query = Record<string, string | number | boolean | null | undefined>;

export type RequestOptions = {
  body?: unknown;
  query?: Query;
  /** Send the session's access token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
};

/** Renew this long before expiry, so a request never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 15_000;

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/v1${path}${search ? `?${search}` : ""}`;
}

async function send(method: string, url: string, options: RequestOptions, token?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw networkError(cause);
  }
}

async function freshSession(): Promise<StoredSession> {
  let session = getSession();
  if (session && session.accessExpiresAt - Date.now() < EXPIRY_MARGIN_MS) session = await refreshSession(session);
  if (!session) throw new ApiError(401, "not_signed_in", "Log in to continue");
  return session;
}

async function authorised(method: string, url: string, options: RequestOptions): Promise<Response> {
  const session = await freshSession();
  const res = await send(method, url, options, session.accessToken);
  if (res.status !== 401) return res;
  const error = await errorFromResponse(res.clone());
  if (error.code === "token_revoked") {
    clearSession("Your session has ended. Log in again.");
    return res;
  }
  // Most likely the access token expired in flight (a suspended laptop, a skewed clock): renew once.
  const renewed = await refreshSession(session);
  if (!renewed) return res;
  return send(method, url, options, renewed.accessToken);
}

/** A current access token, for requests the client cannot make itself (uploads with progress, through XHR). */
export async function accessToken(): Promise<string> {
  return (await freshSession()).accessToken;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = buildUrl(path, options.query);
  const res = options.auth === false ? await send(method, url, options) : await authorised(method, url, options);
  if (!res.ok) throw await errorFromResponse(res);
  // DELETEs answer 204 No Content.
  if (res.status === 204) return null as T;
  // The API's responses follow its OpenAPI document; api/types.ts describes them.
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>("GET", path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>("POST", path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>("PATCH", path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>("DELETE", path, options),
};
