/**
 * Cursor pagination shared by every list route: `?limit&cursor` in,
 * `{items, next_cursor}` out. Lists run newest first on (created_at, id), and the
 * cursor is that pair for the last row, so pages stay stable while rows are added.
 */
import { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "../errors";
import { fromBase64Url, toBase64Url, utf8 } from "./encoding";

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Items per page (1–100)" }),
  cursor: z.string().max(256).optional().openapi({ description: "`next_cursor` from the previous page" }),
});

export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}

type Cursor = { createdAt: number; id: string };
const CursorSchema = z.tuple([z.number(), z.string()]);

function decodeCursor(cursor: string): Cursor {
  try {
    const [createdAt, id] = CursorSchema.parse(JSON.parse(utf8.decode(fromBase64Url(cursor))));
    return { createdAt, id };
  } catch {
    throw new AppError(400, "invalid_cursor", "The cursor is not one this API issued");
  }
}

const encodeCursor = (row: Cursor) => toBase64Url(utf8.encode(JSON.stringify([row.createdAt, row.id])));

type KeysetColumns = { createdAt: SQLiteColumn; id: SQLiteColumn };

/** WHERE and ORDER BY for one page; the query must `.limit(limit + 1)` to learn if more follow. */
export function keyset(columns: KeysetColumns, cursor: string | undefined) {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const where: SQL | undefined = after
    ? or(lt(columns.createdAt, after.createdAt), and(eq(columns.createdAt, after.createdAt), lt(columns.id, after.id)))
    : undefined;
  return { where, orderBy: [desc(columns.createdAt), desc(columns.id)] };
}

export function toPage<Row extends Cursor, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return { items: pageRows.map(toItem), next_cursor: more && last ? encodeCursor(last) : null };
}
