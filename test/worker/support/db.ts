/**
 * Direct D1 access for tests: reading what the API stored (hashes, audit rows) and
 * moving the clock of a row (expiry) the API gives no way to move.
 */
import { env } from "cloudflare:workers";

export async function rows<T = Record<string, unknown>>(sql: string, ...binds: unknown[]): Promise<T[]> {
  const result = await env.DB.prepare(sql)
    .bind(...binds)
    .all<T>();
  return result.results;
}

export async function run(sql: string, ...binds: unknown[]): Promise<number> {
  const result = await env.DB.prepare(sql)
    .bind(...binds)
    .run();
  return result.meta.changes;
}

/** The application's tables (not D1's or the migrations' bookkeeping). */
export async function appTables(): Promise<string[]> {
  const tables = await rows<{ name: string; sql: string }>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
  );
  // A full-text index is read through its virtual table, not its shadow tables (`<name>_data`, `_idx`…).
  const virtual = tables.filter((table) => /^CREATE VIRTUAL TABLE/i.test(table.sql)).map((table) => table.name);
  const isShadow = (name: string) => virtual.some((parent) => name.startsWith(`${parent}_`));
  return tables.map((table) => table.name).filter((name) => !isShadow(name));
}

/** Every row of every application table, keyed by table: for "nothing changed" and "no secret anywhere" checks. */
export async function snapshot(): Promise<Record<string, Record<string, unknown>[]>> {
  const result: Record<string, Record<string, unknown>[]> = {};
  for (const table of await appTables()) result[table] = await rows(`SELECT * FROM "${table}" ORDER BY rowid`);
  return result;
}
