/**
 * Permissions. A role grants a set of scopes; an API key carries a subset of its
 * owner's, and at request time gets only what the owner's role still grants.
 * Scopes for capabilities still to come are listed now so keys made today keep working.
 */
import type { Role } from "../../db/schema";

export const SCOPES = [
  "account:read",
  "account:write",
  "keys:read",
  "keys:write",
  "audit:read",
  "events:read",
  "events:write",
  "agents:read",
  "agents:write",
  "tools:read",
  "tools:execute",
  "extensions:read",
  "extensions:write",
  "usage:read",
  "files:read",
  "files:write",
  "memory:read",
  "memory:write",
  "tasks:read",
  "tasks:write",
  "graph:read",
  "graph:write",
  "gateway:read",
  "gateway:write",
  "admin:users",
  "admin:config",
  "admin:audit",
  "admin:memory",
] as const;

export type Scope = (typeof SCOPES)[number];

const isAdminScope = (scope: Scope) => scope.startsWith("admin:");
const isReadScope = (scope: Scope) => scope.endsWith(":read");

/** admin: everything; developer: everything but administration; viewer: read, plus its own profile. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: SCOPES,
  developer: SCOPES.filter((scope) => !isAdminScope(scope)),
  viewer: SCOPES.filter((scope) => (isReadScope(scope) && !isAdminScope(scope)) || scope === "account:write"),
};

export function scopesFor(role: Role, keyScopes?: readonly string[]): ReadonlySet<Scope> {
  const granted = ROLE_SCOPES[role];
  if (!keyScopes) return new Set(granted);
  return new Set(granted.filter((scope) => keyScopes.includes(scope)));
}
