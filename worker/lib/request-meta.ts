/** What services record about a request (audit rows, sessions) without depending on Hono. */
import type { Context } from "hono";
import type { AppEnv } from "../context";

export type RequestMeta = { ip: string; userAgent: string | null; requestId: string };

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return {
    ip: c.var.clientIp,
    userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null,
    requestId: c.var.requestId,
  };
}
