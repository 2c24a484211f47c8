/** Who is calling: set by the auth middleware, read by handlers and the audit log. */
import type { Role } from "../../db/schema";
import type { Scope } from "./scopes";

export type Principal = {
  userId: string;
  role: Role;
  scopes: ReadonlySet<Scope>;
} & ({ via: "session"; sessionId: string; tokenExpiresAt: number } | { via: "api_key"; apiKeyId: string });

/** The id rate limits and idempotency records are kept under. */
export function principalKey(principal: Principal): string {
  return principal.via === "api_key" ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
}
