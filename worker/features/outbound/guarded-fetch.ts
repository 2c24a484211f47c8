/**
 * The one way to fetch a URL a user can steer (http_fetch, web search endpoints,
 * MCP servers, model base URLs): every hop of a redirect chain is checked against
 * the address policy and DNS, the response body is capped in bytes, and the whole
 * exchange in time. A redirect to another origin drops credential headers, so a
 * provider key or bearer token never follows a hop to a host the caller did not
 * name. Limits come from the `outbound` system setting unless the
 * caller passes its own (model streams run longer than a page fetch).
 */
import { getConfig } from "../config/service";
import { checkAddress, checkUrl, isAllowlisted } from "./address-policy";
import { resolveHost } from "./resolver";

export class OutboundError extends Error {
  constructor(
    readonly code: "outbound_blocked" | "outbound_too_large" | "outbound_timeout" | "outbound_failed",
    message: string,
  ) {
    super(message);
    this.name = "OutboundError";
  }
}

export type OutboundLimits = { maxBytes?: number; timeoutMs?: number; maxRedirects?: number };

const DEFAULT_MAX_REDIRECTS = 5;

/** Headers that carry a credential; `-key`, `-token`, `-secret` and `-signature` suffixes count too. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "api-key", "x-api-key"]);
const CREDENTIAL_SUFFIX = /[-_](key|token|secret|signature|auth)$/;

/** The headers to send on after a redirect from `from` to `to`: all of them same-origin, none that authenticate otherwise. */
export function headersForHop(headers: HeadersInit | undefined, from: URL, to: URL): Headers {
  const next = new Headers(headers);
  if (from.origin === to.origin) return next;
  for (const name of [...next.keys()]) {
    if (CREDENTIAL_HEADERS.has(name) || CREDENTIAL_SUFFIX.test(name)) next.delete(name);
  }
  return next;
}

/** Throws OutboundError("outbound_blocked") unless every check passes. */
export async function assertOutboundAllowed(env: Env, url: URL, signal?: AbortSignal): Promise<void> {
  const policy = await getConfig(env, "outbound");
  const blocked = checkUrl(url);
  if (blocked?.reason.startsWith("scheme") || blocked?.reason.startsWith("credentials"))
    throw new OutboundError("outbound_blocked", blocked.reason);
  if (isAllowlisted(url, policy.allow_private_hosts)) return;
  if (blocked) throw new OutboundError("outbound_blocked", blocked.reason);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (checkAddress(host) === null) return; // a public IP literal needs no DNS
  let addresses: string[];
  try {
    addresses = await resolveHost(env.DOH_URL, host, signal);
  } catch (error) {
    throw new OutboundError("outbound_blocked", `could not check where ${host} points: ${String(error)}`);
  }
  if (addresses.length === 0) throw new OutboundError("outbound_blocked", `${host} does not resolve`);
  for (const address of addresses) {
    const refused = checkAddress(address);
    if (refused)
      throw new OutboundError(
        "outbound_blocked",
        `${host} resolves to ${refused.reason.replace(/^\S+ /, `${address} `)}`,
      );
  }
}

export async function guardedFetch(
  env: Env,
  input: string | URL,
  init: RequestInit = {},
  limits: OutboundLimits = {},
): Promise<Response> {
  const policy = await getConfig(env, "outbound");
  const timeoutMs = limits.timeoutMs ?? policy.timeout_ms;
  const maxBytes = limits.maxBytes ?? policy.max_response_bytes;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let url = new URL(input);
  let request: RequestInit = { ...init, signal, redirect: "manual" };
  try {
    for (let hop = 0; hop <= (limits.maxRedirects ?? DEFAULT_MAX_REDIRECTS); hop++) {
      await assertOutboundAllowed(env, url, signal);
      const res = await fetch(url, request);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status > 399 || !location) return capBody(res, maxBytes);
      await res.body?.cancel();
      const previous = url;
      url = new URL(location, url);
      request = { ...request, headers: headersForHop(request.headers, previous, url) };
      // 303 (and, by browser custom, 301/302 after POST) turn into a GET without a body.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && request.method === "POST"))
        request = { ...request, method: "GET", body: undefined };
    }
  } catch (error) {
    if (error instanceof OutboundError) throw error;
    if (timeout.aborted)
      throw new OutboundError("outbound_timeout", `no complete answer from ${url.host} within ${timeoutMs} ms`);
    if (init.signal?.aborted) throw error;
    throw new OutboundError("outbound_failed", `fetching ${url.host} failed: ${String(error)}`);
  }
  throw new OutboundError("outbound_blocked", "too many redirects");
}

/** A fetch for libraries that take one (AI SDK providers, MCP transports), with the guard and limits built in. */
export function outboundFetch(env: Env, limits: OutboundLimits = {}): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    if (input instanceof Request) {
      const { url, method, headers, body, signal } = input;
      return guardedFetch(env, url, { method, headers, body, signal, ...init }, limits);
    }
    return guardedFetch(env, input, init, limits);
  }) as typeof fetch;
}

/** Passes the body through, erroring the stream once it exceeds `maxBytes` (Content-Length is checked first). */
function capBody(res: Response, maxBytes: number): Response {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    void res.body?.cancel();
    throw new OutboundError("outbound_too_large", `the response is ${declared} bytes; the limit is ${maxBytes}`);
  }
  if (!res.body) return res;
  let seen = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes)
        controller.error(new OutboundError("outbound_too_large", `the response passed the ${maxBytes}-byte limit`));
      else controller.enqueue(chunk);
    },
  });
  return new Response(res.body.pipeThrough(limiter), res);
}
