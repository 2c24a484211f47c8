/** One D1 batch (a transaction) from a list of statements built along the way; nothing to do for an empty list. */
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../../db/client";

export type Statement = BatchItem<"sqlite">;

export async function runBatch(db: Db, statements: Statement[]) {
  if (!statements.length) return [];
  return db.batch(statements as [Statement, ...Statement[]]);
}
