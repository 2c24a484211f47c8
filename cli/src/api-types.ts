/**
 * The API responses the CLI reads, as zod schemas of the fields it uses: the server is
 * another program, so its answers are checked, not cast. Objects are loose so fields
 * added by newer servers pass through to `--json` output. Each is tied to the Worker's
 * schema at compile time (`reads`, ./reads.ts).
 */
import { z } from "zod";
import { HubEvent } from "../../shared/live-hub/protocol";
import type { ErrorSchema } from "../../worker/errors";
import type { ApiKeyPageSchema, ApiKeySchema, CreatedApiKeySchema } from "../../worker/features/api-keys/schemas";
import type { LoginResponse as LoginSchema, TokenPairSchema } from "../../worker/features/auth/schemas";
import type { PublishResponse, TicketResponse } from "../../worker/features/events/schemas";
import type { FilePageSchema, FileSchema } from "../../worker/features/files/schemas";
import type { MemorySchema, SearchResultSchema } from "../../worker/features/memory/schemas";
import type { MeSchema, UserSchema } from "../../worker/features/users/schemas";
import { reads } from "./reads";

export { HubEvent };

export const ErrorEnvelope = reads<z.infer<typeof ErrorSchema>>()(
  z.object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  }),
);

export const User = reads<z.infer<typeof UserSchema>>()(
  z.looseObject({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
  }),
);
export type User = z.infer<typeof User>;

export const Me = reads<z.infer<typeof MeSchema>>()(User.extend({ scopes: z.array(z.string()) }));
export type Me = z.infer<typeof Me>;

export const TokenPair = reads<z.infer<typeof TokenPairSchema>>()(
  z.looseObject({
    access_token: z.string().min(1),
    refresh_token: z.string().min(1),
    expires_in: z.number(),
    session_id: z.string(),
  }),
);
export type TokenPair = z.infer<typeof TokenPair>;

export const LoginResponse = reads<z.infer<typeof LoginSchema>>()(TokenPair.extend({ user: User }));

export const ApiKey = reads<z.infer<typeof ApiKeySchema>>()(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    created_at: z.string(),
  }),
);
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = reads<z.infer<typeof CreatedApiKeySchema>>()(
  z.looseObject({ key: ApiKey, secret: z.string() }),
);

export const ApiKeyPage = reads<z.infer<typeof ApiKeyPageSchema>>()(
  z.looseObject({ items: z.array(ApiKey), next_cursor: z.string().nullable() }),
);

export const HubTicket = reads<z.infer<typeof TicketResponse>>()(
  z.looseObject({ ticket: z.string(), expires_at: z.string(), url: z.string() }),
);

export const PublishedEvent = reads<z.infer<typeof PublishResponse>>()(z.looseObject({ event: HubEvent }));

export const FileInfo = reads<z.infer<typeof FileSchema>>()(
  z.looseObject({
    id: z.string(),
    filename: z.string(),
    content_type: z.string(),
    size: z.number(),
    sha256: z.string(),
    extraction: z.looseObject({
      status: z.string(),
      error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
    }),
    indexed_at: z.string().nullable(),
    created_at: z.string(),
  }),
);
export type FileInfo = z.infer<typeof FileInfo>;

export const FilePage = reads<z.infer<typeof FilePageSchema>>()(
  z.looseObject({ items: z.array(FileInfo), next_cursor: z.string().nullable() }),
);

export const Memory = reads<z.infer<typeof MemorySchema>>()(
  z.looseObject({
    id: z.string(),
    category: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    scope: z.string(),
    chunk_count: z.number(),
    expires_at: z.string().nullable(),
    created_at: z.string(),
  }),
);
export type Memory = z.infer<typeof Memory>;

export const MemorySearchResult = reads<z.infer<typeof SearchResultSchema>>()(
  z.looseObject({
    mode: z.string(),
    terms: z.array(z.string()),
    results: z.array(
      z.looseObject({
        chunk_id: z.string(),
        memory_id: z.string(),
        content: z.string(),
        score: z.number(),
        citation: z.looseObject({
          filename: z.string().optional(),
          page: z.number().optional(),
          sheet: z.string().optional(),
          heading: z.string().optional(),
        }),
        memory: z.looseObject({ category: z.string(), tags: z.array(z.string()) }),
      }),
    ),
  }),
);
export type MemorySearchResult = z.infer<typeof MemorySearchResult>;

/** Responses whose body the CLI ignores (logout's `{status, message}`). */
export const AnyJson = z.unknown();
