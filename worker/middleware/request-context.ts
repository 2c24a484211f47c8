/**
 * First middleware of every request: a request id (the caller's `X-Request-Id` if
 * sane, else a new one) echoed on every response, and the client IP as Cloudflare
 * reports it. Locally there is no CF-Connecting-IP, so it is "unknown".
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

const SANE_ID = /^[\w.:-]{1,128}$/;

/**
 * Adds a header to any response. Responses from fetch() or a Durable Object have
 * immutable headers, and a 101 must keep its WebSocket, so those are rebuilt.
 */
function withHeader(res: Response, name: string, value: string): Response {
  try {
    res.headers.set(name, value);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.set(name, value);
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers,
      webSocket: res.webSocket,
    });
  }
}

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && SANE_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  c.set("clientIp", c.req.header("cf-connecting-ip") ?? "unknown");
  await next();
  if (c.res.headers.get("x-request-id") !== id) c.res = withHeader(c.res, "x-request-id", id);
};
