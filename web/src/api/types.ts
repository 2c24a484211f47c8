/**
 * The API's resources as the console reads them. They mirror the zod schemas in
 * worker/features/{users,api-keys,audit,events,email}/schemas.ts and the OpenAPI
 * document at /api/v1/openapi.json; keep them in step when those change.
 */

export type Role = "admin" | "developer" | "viewer";

export type User = {
  id: string;
  email: string;
  name: string;
  role: Role;
  is_active: boolean;
  email_verified: boolean;
  created_at: string;
  last_login_at: string | null;
};

/** GET /me: the user plus what the current credential may do. */
export type Me = User & { scopes: string[] };

export type TokenPair = {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
  session_id: string;
};

export type LoginResponse = TokenPair & { user: User };

export type Accepted = { status: "accepted"; message: string };

export type Page<T> = { items: T[]; next_cursor: string | null };

export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
};

export type CreatedApiKey = { key: ApiKey; secret: string };

export type AuditEntry = {
  id: string;
  user_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: string;
};

export type HubEvent = { id: number; type: string; ts: string; data: unknown };

export type HubTicket = { ticket: string; expires_at: string; url: string };

export type OutboxMessage = {
  id: string;
  to: string;
  kind: string;
  subject: string;
  text: string;
  status: string;
  created_at: string;
  sent_at: string | null;
};
