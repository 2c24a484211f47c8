/**
 * The D1 schema: one source of truth for tables, from which drizzle-kit generates
 * the SQL in migrations/ (drizzle.config.ts points here). Only a barrel: the tables
 * live in the schema-*.ts files beside it. Times are epoch milliseconds; JSON columns
 * hold objects. Every user-owned table carries `user_id`, and every query on it filters by it.
 */
export * from "./schema-agents";
export * from "./schema-automation";
export * from "./schema-knowledge";
export * from "./schema-platform";
