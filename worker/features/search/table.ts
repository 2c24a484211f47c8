/**
 * The FTS5 table `message_search` (migrations/0002) as drizzle sees it, so
 * deletions can join other statements in a drizzle batch. Only for building
 * queries: drizzle-kit never reads this file, and the migration stays the source of truth.
 */
import { sqliteTable, text } from "drizzle-orm/sqlite-core";

export const messageSearch = sqliteTable("message_search", {
  content: text("content").notNull(),
  userId: text("user_id").notNull(),
  sessionId: text("session_id").notNull(),
  messageId: text("message_id").notNull(),
  role: text("role").notNull(),
  /** Epoch milliseconds. */
  createdAt: text("created_at").notNull(),
});
