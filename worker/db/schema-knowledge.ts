/**
 * Files, memories and their chunks. A file's bytes live in R2 (binding FILES) under
 * `users/<user_id>/files/<file_id>/…`; D1 keeps its metadata and extraction state.
 * Memories are what the platform remembers (typed in by people, or indexed from a
 * file); each is split into chunks, which the keyword index (FTS5 `memory_search`,
 * a custom migration kept in sync by triggers) and the vector index (Vectorize or the local VectorShard) find.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";
import { owner } from "./owner";
import { chatSessions } from "./schema-agents";

export const EXTRACTION_STATUSES = ["pending", "done", "failed", "unsupported"] as const;
export type ExtractionStatus = (typeof EXTRACTION_STATUSES)[number];

export const files = sqliteTable(
  "files",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** The R2 key of the bytes as uploaded. */
    storagePath: text("storage_path").notNull(),
    sha256: text("sha256").notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    sessionId: text("session_id").references(() => chatSessions.id, { onDelete: "set null" }),
    /** A task that produced or processes the file (tasks arrive with their own issue; no foreign key yet). */
    taskId: text("task_id"),
    extractionStatus: text("extraction_status", { enum: EXTRACTION_STATUSES }).notNull().default("pending"),
    /** Why extraction failed: `corrupt_document`, `encrypted_document`… with a message for people. */
    extractionError: text("extraction_error", { mode: "json" }).$type<{
      code: string;
      message: string;
      details?: Record<string, unknown>;
    }>(),
    extractedAt: integer("extracted_at"),
    /** Set while the file's text is in the knowledge base. */
    indexedAt: integer("indexed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    accessedAt: integer("accessed_at"),
  },
  (t) => [
    index("files_user_idx").on(t.userId, t.createdAt, t.id),
    index("files_user_sha_idx").on(t.userId, t.sha256),
    index("files_session_idx").on(t.sessionId),
  ],
);

export const MEMORY_SCOPES = ["user", "global"] as const;
export type MemoryScope = (typeof MEMORY_SCOPES)[number];
export const MEMORY_SOURCES = ["manual", "file", "agent"] as const;
export type MemorySource = (typeof MEMORY_SOURCES)[number];

export const memories = sqliteTable(
  "memories",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    category: text("category").notNull(),
    content: text("content").notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** `global` memories are readable by every user; only admins write them. */
    scope: text("scope", { enum: MEMORY_SCOPES }).notNull().default("user"),
    source: text("source", { enum: MEMORY_SOURCES }).notNull().default("manual"),
    /** Set for knowledge indexed from a file; goes with the file. */
    fileId: text("file_id").references(() => files.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("memories_user_idx").on(t.userId, t.createdAt, t.id),
    index("memories_scope_idx").on(t.scope, t.createdAt),
    index("memories_expires_idx").on(t.expiresAt),
    index("memories_file_idx").on(t.fileId),
  ],
);

/** Where a chunk came from, so answers can cite it. */
export type ChunkCitation = {
  file_id?: string;
  filename?: string;
  page?: number;
  sheet?: string;
  heading?: string;
};

export const memoryChunks = sqliteTable(
  "memory_chunks",
  {
    /** The FTS5 index's rowid (external content); ids stay text everywhere else. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    memoryId: text("memory_id")
      .notNull()
      .references(() => memories.id, { onDelete: "cascade" }),
    /** The memory's owner, repeated so search filters without a join. */
    userId: text("user_id").notNull(),
    scope: text("scope", { enum: MEMORY_SCOPES }).notNull(),
    ordinal: integer("ordinal").notNull(),
    content: text("content").notNull(),
    citation: text("citation", { mode: "json" }).$type<ChunkCitation>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("memory_chunks_memory_idx").on(t.memoryId, t.ordinal)],
);
