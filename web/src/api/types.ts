/**
 * The API's resources as the console reads them, inferred from the Worker's zod
 * schemas and shared/ protocols. The imports are type-only: nothing of the Worker
 * reaches the bundle, and a change to a schema is a type error here, not a drift.
 */
import type { z } from "zod";
import type { HubEvent } from "../../../shared/live-hub/protocol";
import type { ApiKeySchema, CreatedApiKeySchema } from "../../../worker/features/api-keys/schemas";
import type { AuditEntrySchema } from "../../../worker/features/audit/schemas";
import type {
  AcceptedSchema,
  LoginResponse as LoginResponseSchema,
  TokenPairSchema,
} from "../../../worker/features/auth/schemas";
import type { ExtractedDocumentSchema } from "../../../worker/features/documents/model";
import type { OutboxMessageSchema } from "../../../worker/features/email/schemas";
import type { TicketResponse } from "../../../worker/features/events/schemas";
import type { FileSchema } from "../../../worker/features/files/schemas";
import type { MemorySchema, SearchHitSchema, SearchResultSchema } from "../../../worker/features/memory/schemas";
import type { MeSchema, UserSchema } from "../../../worker/features/users/schemas";

export type { HubEvent };

export type User = z.infer<typeof UserSchema>;
export type Role = User["role"];

/** GET /me: the user plus what the current credential may do. */
export type Me = z.infer<typeof MeSchema>;

export type TokenPair = z.infer<typeof TokenPairSchema>;
export type LoginResponse = z.infer<typeof LoginResponseSchema>;
export type Accepted = z.infer<typeof AcceptedSchema>;

/** Every list route's page (worker/lib/pagination.ts `pageSchema`). */
export type Page<T> = { items: T[]; next_cursor: string | null };

export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type HubTicket = z.infer<typeof TicketResponse>;

export type FileItem = z.infer<typeof FileSchema>;
export type ExtractedDocument = z.infer<typeof ExtractedDocumentSchema>;
export type Cell = ExtractedDocument["tables"][number]["rows"][number][number];

export type Memory = z.infer<typeof MemorySchema>;
export type MemoryHit = z.infer<typeof SearchHitSchema>;
export type MemorySearch = z.infer<typeof SearchResultSchema>;

/** GET /dev/outbox (development only): a message as it was sent. */
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;
