/**
 * GraphStore: the graph engine over one user's SQLite, independent of the Durable
 * Object around it, so tests and the simulation drive it in-process (and bench/
 * on node:sqlite). Every write runs in one transaction and reports the feed items
 * it changed, which the Durable Object sends to live subscribers.
 */
import { HlcClock } from "../../shared/graph-sync/hlc";
import type { FeedItem } from "../../shared/graph-sync/protocol";
import { newId } from "../../worker/lib/ids";
import { type Ctx, emptyTouched } from "./context";
import { touchedItems } from "./feed";
import { attempt, type Outcome } from "./outcome";
import { createSchema, Meta, type SqlLike } from "./storage";

export type Transaction = <T>(fn: () => T) => T;
export type Written<T> = { outcome: Outcome<T>; changed: FeedItem[] };

export class GraphStore {
  readonly #ctx: Ctx;
  readonly #transaction: Transaction;

  constructor(sql: SqlLike, transaction: Transaction, options: { now?: () => number; newId?: () => string } = {}) {
    createSchema(sql);
    const meta = new Meta(sql);
    const now = options.now ?? Date.now;
    this.#transaction = transaction;
    this.#ctx = {
      sql,
      meta,
      now,
      newId: options.newId ?? newId,
      clock: new HlcClock("server", now, meta.get("hlc")),
      touched: emptyTouched(),
    };
  }

  /**
   * Runs `fn` in a transaction: all of it or, on a GraphError, none of it. With
   * `collect` false (nobody is listening live) the changed items are not read back.
   */
  write<T>(fn: (ctx: Ctx) => T, collect = true): Written<T> {
    const ctx = this.#ctx;
    ctx.touched = emptyTouched();
    let outcome: Outcome<T>;
    try {
      outcome = attempt(() =>
        this.#transaction(() => {
          const value = fn(ctx);
          ctx.meta.flush();
          ctx.meta.set("hlc", ctx.clock.last);
          return value;
        }),
      );
    } catch (error) {
      ctx.meta.reload();
      throw error;
    }
    // A rolled-back transaction took its feed positions with it.
    if (!outcome.ok) ctx.meta.reload();
    return { outcome, changed: outcome.ok && collect ? touchedItems(ctx) : [] };
  }

  read<T>(fn: (ctx: Ctx) => T): Outcome<T> {
    return attempt(() => fn(this.#ctx));
  }
}
