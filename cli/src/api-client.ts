/**
 * The client every command uses: adds the credential (an API key, or the saved
 * session's access token), refreshes the session before expiry or after a 401 and
 * saves the rotated tokens at once, and waits out short rate limits.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { TokenPair } from "./api-types";
import { type ConfigStore, type StoredSession, serverKey } from "./config-store";
import { ApiError, CliError, EXIT, notLoggedIn } from "./errors";
import { withFileLock } from "./file-lock";
import { exchange } from "./http";

/** Refresh this long before the access token expires, so a request never races its expiry. */
const EXPIRY_MARGIN_MS = 30_000;
/** Rate limits shorter than this are waited out (twice at most); longer ones are reported. */
const MAX_RATE_LIMIT_WAIT_S = 10;

type Method = "GET" | "POST" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | boolean | undefined>;
export type RequestOptions = {
  query?: Query;
  body?: unknown;
  /** Send an `Idempotency-Key` (creating POSTs). */
  idempotent?: boolean;
  /** `none`: no credential (login); `session`: the saved login even if an API key is set (logout). */
  auth?: "default" | "none" | "session";
};

export type ClientOptions = {
  baseUrl: string;
  apiKey?: string;
  store: ConfigStore;
  /** Where to tell the user about waits and refreshes (stderr in the CLI). */
  notice?: (message: string) => void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function expiryOf(pair: { expires_in: number }, now = Date.now()): number {
  return now + pair.expires_in * 1000;
}

export class ApiClient {
  readonly baseUrl: string;
  readonly store: ConfigStore;
  readonly #apiKey: string | undefined;
  readonly #notice: (message: string) => void;

  constructor(options: ClientOptions) {
    this.baseUrl = serverKey(options.baseUrl);
    this.store = options.store;
    this.#apiKey = options.apiKey || undefined;
    this.#notice = options.notice ?? (() => {});
  }

  /** How requests authenticate: an explicit API key wins over a saved login. */
  get credential(): "api_key" | "session" | "none" {
    if (this.#apiKey) return "api_key";
    return this.store.getSession(this.baseUrl) ? "session" : "none";
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  get<T>(path: string, schema: z.ZodType<T>, query?: Query): Promise<T> {
    return this.request("GET", path, schema, { query });
  }

  post<T>(path: string, schema: z.ZodType<T>, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request("POST", path, schema, { ...options, body });
  }

  delete<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.request("DELETE", path, schema, {});
  }

  async request<T>(method: Method, path: string, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = {};
    // One key for every attempt of this call: a retry can never create a second resource.
    if (options.idempotent) headers["idempotency-key"] = randomUUID();
    const send = (auth: Record<string, string>) =>
      this.#withRateLimitRetry(() =>
        exchange({ method, url, body: options.body, headers: { ...headers, ...auth } }, schema),
      );

    if (options.auth === "none") return (await send({})).value;
    if (this.#apiKey && options.auth !== "session") return (await send({ "x-api-key": this.#apiKey })).value;

    let session = await this.#freshSession();
    try {
      return (await send(bearer(session))).value;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      session = await this.refresh(session);
      return (await send(bearer(session))).value;
    }
  }

  /** Credential headers for a request the caller sends itself (streamed uploads and downloads). */
  async authHeaders(): Promise<Record<string, string>> {
    if (this.#apiKey) return { "x-api-key": this.#apiKey };
    return bearer(await this.#freshSession());
  }

  async #freshSession(): Promise<StoredSession> {
    const session = this.store.getSession(this.baseUrl);
    if (!session) throw notLoggedIn(this.baseUrl);
    return session.access_expires_at - EXPIRY_MARGIN_MS > Date.now() ? session : this.refresh(session);
  }

  /**
   * Trades the session's refresh token for a new pair and saves it before anything
   * else. Under the lock, a token another process already rotated is not spent again:
   * its successor, already on disk, is used instead.
   */
  refresh(stale: StoredSession): Promise<StoredSession> {
    return withFileLock(`${this.store.path}.lock`, async () => {
      const current = this.store.getSession(this.baseUrl);
      if (!current) throw notLoggedIn(this.baseUrl);
      if (current.refresh_token !== stale.refresh_token) return current;
      let pair: TokenPair;
      try {
        const url = this.url("/auth/refresh");
        const body = { refresh_token: current.refresh_token };
        pair = (await this.#withRateLimitRetry(() => exchange({ method: "POST", url, body }, TokenPair))).value;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          this.store.removeSession(this.baseUrl);
          throw new CliError(
            error.code,
            `your session on ${this.baseUrl} has ended: ${error.message}`,
            EXIT.authNeeded,
            ["run `edgewise login` to start a new one"],
          );
        }
        throw error;
      }
      const next: StoredSession = {
        ...current,
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        session_id: pair.session_id,
        access_expires_at: expiryOf(pair),
      };
      this.store.saveSession(this.baseUrl, next);
      return next;
    });
  }

  async #withRateLimitRetry<R>(attempt: () => Promise<R>): Promise<R> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        const wait = error instanceof ApiError && error.status === 429 ? error.retryAfter : undefined;
        if (wait === undefined || wait > MAX_RATE_LIMIT_WAIT_S || tries >= 2) throw error;
        this.#notice(`rate limited; retrying in ${wait} s`);
        await sleep(wait * 1000);
      }
    }
  }
}

function bearer(session: StoredSession): Record<string, string> {
  return { authorization: `Bearer ${session.access_token}` };
}
