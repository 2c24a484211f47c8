/**
 * GraphStore: the graph engine over one user's SQLite, independent of the Durable
 * Object around it, so tests and the simulation drive it in-process (and bench/
 * on node:sqlite). Every write runs in one transaction and reports the feed items
 * it changed, which the Durable Object sends to live subscribers.
 */
import { HlcClock } from "../../shared/graph-sync/hlc";
import type { FeedItem } from "../../shared/graph-sync/protocol";
import { type Ctx, emptyTouched } from "./context";
import { touchedItems } from "./feed";
import { attempt, type Outcome } from "./outcome";
import { createSchema, Meta, type SqlLike } from "./storage";

export type Transaction = <T>(fn: () => T) => T;
export type Written<T> = { outcome: Outcome<T>; changed: FeedItem[] };

export class GraphStore {
  readonly #ctx: Ctx;
  readonly #transaction: Transaction;

  constructor(sql: SqlLike, transaction: Transaction, now: () => number = Date.now) {
    createSchema(sql);
    const meta = new Meta(sql);
    this.#transaction = transaction;
    this.#ctx = { sql, meta, now, clock: new HlcClock("server", now, meta.get("hlc")), touched: emptyTouched() };
  }

  /** Runs `fn` in a transaction: all of it or, on a GraphError, none of it. */
  write<T>(fn: (ctx: Ctx) => T): Written<T> {
    const ctx = this.#ctx;
    ctx.touched = emptyTouched();
    const outcome = attempt(() =>
      this.#transaction(() => {
        const value = fn(ctx);
        ctx.meta.set("hlc", ctx.clock.last);
        return value;
      }),
    );
    return { outcome, changed: outcome.ok ? touchedItems(ctx) : [] };
  }

  read<T>(fn: (ctx: Ctx) => T): Outcome<T> {
    return attempt(() => fn(this.#ctx));
  }
}
