/**
 * `Idempotency-Key` on creating POSTs: the first request with a key runs and its
 * successful response is stored for 24 hours; a retry with the same key and body
 * gets that response again (with `Idempotency-Replayed: true`) instead of a second
 * resource. The same key with a different body is 422; while the first is still
 * running, 409. Failed requests store nothing, so they can be retried as they are.
 * A claim whose request died mid-way (no response after LEASE_MS) can be taken over.
 * Stored bodies are encrypted: a replayed key creation carries the key's secret.
 */
import { and, eq, isNull, lt } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../context";
import { type Db, getDb } from "../db/client";
import { idempotencyRecords } from "../db/schema";
import { AppError } from "../errors";
import { principalKey } from "../features/auth/principal";
import { sha256Hex } from "../lib/crypto";
import { decryptText, encryptText } from "../lib/encryption";

const TTL_MS = 24 * 3600_000;
const LEASE_MS = 60_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const PURPOSE = "idempotency-response";

type Claim = { principalId: string; key: string; requestHash: string; method: string; path: string };
type StoredRecord = typeof idempotencyRecords.$inferSelect;

const matchOf = (request: { principalId: string; key: string }) =>
  and(eq(idempotencyRecords.principalId, request.principalId), eq(idempotencyRecords.key, request.key));

/** Inserts the claim unless the key is taken; true when it was inserted. */
async function insertClaim(db: Db, request: Claim): Promise<boolean> {
  const now = Date.now();
  const inserted = await db
    .insert(idempotencyRecords)
    .values({ ...request, createdAt: now, expiresAt: now + TTL_MS })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });
  return inserted.length > 0;
}

/** Takes over a claim whose request died before answering, for the same request retried. */
async function takeOverAbandoned(db: Db, request: Claim): Promise<boolean> {
  const now = Date.now();
  const taken = await db
    .update(idempotencyRecords)
    .set({ createdAt: now, expiresAt: now + TTL_MS })
    .where(
      and(
        matchOf(request),
        eq(idempotencyRecords.requestHash, request.requestHash),
        isNull(idempotencyRecords.responseStatus),
        lt(idempotencyRecords.createdAt, now - LEASE_MS),
      ),
    )
    .returning({ key: idempotencyRecords.key });
  return taken.length > 0;
}

/** Takes the key for this request: true if it is ours to run, else the record that holds it. */
async function claim(db: Db, request: Claim): Promise<true | StoredRecord> {
  if ((await insertClaim(db, request)) || (await takeOverAbandoned(db, request))) return true;
  const existing = await db.query.idempotencyRecords.findFirst({ where: matchOf(request) });
  if (existing) return existing;
  // It vanished between insert and read (a failed first request deleted it): try once more.
  if (await insertClaim(db, request)) return true;
  throw new AppError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still running");
}

export const idempotent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return next();
  if (!KEY_FORMAT.test(key)) {
    throw new AppError(400, "invalid_idempotency_key", "Idempotency-Key must be 1–255 visible ASCII characters");
  }
  const db = getDb(c.env);
  const principalId = principalKey(c.var.principal);
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const held = await claim(db, { principalId, key, requestHash, method: c.req.method, path: c.req.path });

  if (held !== true) {
    if (held.requestHash !== requestHash) {
      throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request");
    }
    if (held.responseStatus == null || held.responseBody == null) {
      throw new AppError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still running");
    }
    const body = await decryptText(c.env.ENCRYPTION_KEY, PURPOSE, held.responseBody);
    // Through the context, so headers set earlier (x-request-id, RateLimit-*) are on the replay too.
    return c.body(body, held.responseStatus as ContentfulStatusCode, {
      "content-type": "application/json",
      "idempotency-replayed": "true",
    });
  }

  const match = matchOf({ principalId, key });
  await next();
  if (c.res.status >= 200 && c.res.status < 300 && !c.error) {
    const body = await encryptText(c.env.ENCRYPTION_KEY, PURPOSE, await c.res.clone().text());
    await db.update(idempotencyRecords).set({ responseStatus: c.res.status, responseBody: body }).where(match);
  } else {
    await db.delete(idempotencyRecords).where(match);
  }
};
