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

/** worker/features/files/schemas.ts */
export type FileItem = {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  metadata: Record<string, unknown>;
  extraction: {
    status: "pending" | "done" | "failed" | "unsupported";
    error: { code: string; message: string } | null;
  };
  indexed_at: string | null;
  created_at: string;
};

export type Cell = string | number | boolean | null;

/** worker/features/documents/model.ts */
export type ExtractedDocument = {
  kind: string;
  text: string;
  sections: { kind: "page" | "sheet" | "section"; index: number; title?: string; text: string }[];
  headings: { level: number; text: string }[];
  tables: { name: string; columns: string[]; rows: Cell[][] }[];
  metadata: Record<string, unknown>;
};

/** worker/features/memory/schemas.ts */
export type Memory = {
  id: string;
  category: string;
  content: string;
  tags: string[];
  metadata: Record<string, unknown>;
  scope: "user" | "global";
  source: "manual" | "file" | "agent";
  file_id: string | null;
  owned: boolean;
  chunk_count: number;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
};

export type MemoryHit = {
  chunk_id: string;
  memory_id: string;
  content: string;
  score: number;
  keyword_rank: number | null;
  vector_rank: number | null;
  citation: { file_id?: string; filename?: string; page?: number; sheet?: string; heading?: string };
  memory: Omit<Memory, "content" | "chunk_count">;
};

export type MemorySearch = { mode: string; terms: string[]; results: MemoryHit[] };
