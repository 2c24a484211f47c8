/**
 * `Idempotency-Key` on creating POSTs: the first request with a key runs and its
 * successful response is stored for 24 hours; a retry with the same key and body
 * gets that response again (with `Idempotency-Replayed: true`) instead of a second
 * resource. The same key with a different body is 422; while the first is still
 * running, 409. Failed requests store nothing, so they can be retried as they are.
 */
import { and, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { idempotencyRecords } from "../db/schema";
import { AppError } from "../errors";
import { principalKey } from "../features/auth/principal";
import { sha256Hex } from "../lib/crypto";

const TTL_MS = 24 * 3600_000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export const idempotent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return next();
  if (!KEY_FORMAT.test(key)) {
    throw new AppError(400, "invalid_idempotency_key", "Idempotency-Key must be 1–255 visible ASCII characters");
  }
  const db = getDb(c.env);
  const principalId = principalKey(c.var.principal);
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const match = and(eq(idempotencyRecords.principalId, principalId), eq(idempotencyRecords.key, key));

  const claimed = await db
    .insert(idempotencyRecords)
    .values({
      principalId,
      key,
      method: c.req.method,
      path: c.req.path,
      requestHash,
      createdAt: Date.now(),
      expiresAt: Date.now() + TTL_MS,
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });

  if (claimed.length === 0) {
    const existing = await db.query.idempotencyRecords.findFirst({ where: match });
    if (!existing || existing.requestHash !== requestHash) {
      throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request");
    }
    if (existing.responseStatus == null) {
      throw new AppError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still running");
    }
    // Through the context, so headers set earlier (x-request-id, RateLimit-*) are on the replay too.
    return c.body(existing.responseBody ?? "", existing.responseStatus as ContentfulStatusCode, {
      "content-type": "application/json",
      "idempotency-replayed": "true",
    });
  }

  await next();
  if (c.res.status >= 200 && c.res.status < 300 && !c.error) {
    const body = await c.res.clone().text();
    await db.update(idempotencyRecords).set({ responseStatus: c.res.status, responseBody: body }).where(match);
  } else {
    await db.delete(idempotencyRecords).where(match);
  }
};
