/**
 * The Hono environment every route and middleware shares: bindings from
 * `wrangler types` and the per-request variables middleware sets.
 */
import type { Principal } from "./features/auth/principal";

export type AppVariables = {
  requestId: string;
  /** Set by the auth middleware on authenticated routes. */
  principal: Principal;
  /** Client IP as Cloudflare reports it (`CF-Connecting-IP`); "unknown" locally without it. */
  clientIp: string;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
