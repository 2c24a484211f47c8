/**
 * First middleware of every request: a request id (the caller's `X-Request-Id` if
 * sane, else a new one), echoed on the response, and the client IP as
 * Cloudflare reports it. Locally there is no CF-Connecting-IP, so it is "unknown".
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

const SANE_ID = /^[\w.:-]{1,128}$/;

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && SANE_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", id);
  c.set("clientIp", c.req.header("cf-connecting-ip") ?? "unknown");
  c.header("x-request-id", id);
  await next();
};
