/**
 * The engine's SQL surface (storage.ts `SqlLike`) over Node's built-in node:sqlite,
 * so bench/ can run the GraphSync engine and the simulation outside workerd.
 * Statements are prepared once and reused, like the Durable Object's own cache.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { SqlCursor, SqlLike, SqlValue } from "../storage";
import type { Transaction } from "../store";

export function nodeSql(db: DatabaseSync): SqlLike & { transaction: Transaction } {
  const statements = new Map<string, StatementSync>();
  const prepared = (query: string) => {
    let statement = statements.get(query);
    if (!statement) {
      statement = db.prepare(query);
      statements.set(query, statement);
    }
    return statement;
  };
  return {
    exec<T extends Record<string, SqlValue>>(query: string, ...bindings: unknown[]): SqlCursor<T> {
      if (bindings.length === 0 && /^\s*CREATE\b/i.test(query)) {
        db.exec(query);
        return { toArray: () => [], one: () => ({}) as T, rowsWritten: 0 };
      }
      const rows = prepared(query).all(...(bindings as (string | number | null)[])) as T[];
      return {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
          return rows[0]!;
        },
        get rowsWritten() {
          return Number((db.prepare("SELECT changes() AS n").get() as { n: number }).n);
        },
      };
    },
    transaction<T>(fn: () => T): T {
      db.exec("BEGIN");
      try {
        const value = fn();
        db.exec("COMMIT");
        return value;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
}
