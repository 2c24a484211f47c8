/**
 * Substring and prefix filters for user-typed text. LIKE treats `%` and `_` as
 * wildcards; these escape them (and the escape character) and name the escape in
 * an ESCAPE clause, without which SQLite reads the backslashes literally and a
 * search for `report_50%` finds nothing.
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

const escapeWildcards = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** `column` contains `text` (ASCII case-insensitive, as SQLite's LIKE). */
export function containsText(column: SQLWrapper, text: string): SQL {
  return sql`${column} LIKE ${`%${escapeWildcards(text)}%`} ESCAPE '\\'`;
}

/** `column` starts with `text` (ASCII case-insensitive, as SQLite's LIKE). */
export function startsWithText(column: SQLWrapper, text: string): SQL {
  return sql`${column} LIKE ${`${escapeWildcards(text)}%`} ESCAPE '\\'`;
}
