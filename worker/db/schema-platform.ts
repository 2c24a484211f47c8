/**
 * Users and the platform around them: refresh tokens, revoked sessions, one-time
 * tokens, API keys, the audit log, system config, the email outbox and idempotency
 * records. Part of the D1 schema that ./schema.ts gathers.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, now } from "./columns";

export const ROLES = ["admin", "developer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("developer"),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    emailVerifiedAt: integer("email_verified_at"),
    profileData: text("profile_data", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull().default(now),
    lastLoginAt: integer("last_login_at"),
  },
  (t) => [index("users_created_idx").on(t.createdAt, t.id)],
);

/**
 * Rotating refresh tokens. Each login starts a family (a session); each refresh
 * uses up one token and adds the next. Presenting a used token revokes the family.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: text("family_id").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("refresh_family_idx").on(t.familyId), index("refresh_user_idx").on(t.userId)],
);

/**
 * Access tokens denied before they expire (logout, refresh-token reuse, password
 * reset). Keyed by session (refresh family) so one row covers every access token
 * that session minted; rows go once `expires_at` passes.
 */
export const revokedSessions = sqliteTable("revoked_sessions", {
  familyId: text("family_id").primaryKey(),
  userId: text("user_id").notNull(),
  reason: text("reason").notNull(),
  expiresAt: integer("expires_at").notNull(),
  createdAt: createdAt(),
});

export const USER_TOKEN_KINDS = ["verify_email", "reset_password"] as const;

/** One-time tokens sent by email: verification and password reset. */
export const userTokens = sqliteTable(
  "user_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: USER_TOKEN_KINDS }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("user_tokens_user_idx").on(t.userId, t.kind)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** First characters of the key, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
    /** The key whose request created this one (null when a person did): revoking it revokes this too. */
    parentKeyId: text("parent_key_id"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId, t.createdAt, t.id), index("api_keys_parent_idx").on(t.parentKeyId)],
);

export const ACTOR_TYPES = ["user", "api_key", "system"] as const;

/** Who changed what: one row per mutation, owned by the user whose data it touched. */
export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    actorId: text("actor_id"),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    oldValues: text("old_values", { mode: "json" }).$type<Record<string, unknown>>(),
    newValues: text("new_values", { mode: "json" }).$type<Record<string, unknown>>(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_user_idx").on(t.userId, t.createdAt, t.id), index("audit_created_idx").on(t.createdAt, t.id)],
);

export const systemConfig = sqliteTable("system_config", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  description: text("description"),
  isPublic: integer("is_public", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull().default(now),
  updatedBy: text("updated_by"),
});

export const EMAIL_STATUSES = ["queued", "sent", "failed"] as const;

/** Every email the platform sends. In development this *is* the mailbox. */
export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    toAddress: text("to_address").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body"),
    status: text("status", { enum: EMAIL_STATUSES }).notNull().default("queued"),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    createdAt: createdAt(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("email_outbox_to_idx").on(t.toAddress, t.createdAt)],
);

/**
 * Responses to creating POSTs sent with an `Idempotency-Key`, replayed when the
 * same caller sends the same key again. `response_status` is null while in flight.
 */
export const idempotencyRecords = sqliteTable(
  "idempotency_records",
  {
    principalId: text("principal_id").notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.key] }), index("idem_expires_idx").on(t.expiresAt)],
);
