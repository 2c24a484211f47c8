/** Request body limits: anything larger than a route accepts is refused with 413 before it is read whole. */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";

/** The default for JSON routes; routes that take files set their own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function tooLarge(maxBytes: number) {
  return () => {
    throw new AppError(413, "payload_too_large", `The request body exceeds ${maxBytes} bytes`, { max_bytes: maxBytes });
  };
}

const limitDefault = bodyLimit({ maxSize: DEFAULT_BODY_LIMIT, onError: tooLarge(DEFAULT_BODY_LIMIT) });

/** Upload routes enforce their own (configurable) limit and must get the body untouched, to stream it. */
const OWN_LIMIT = new Set(["POST /api/v1/files", "PUT /api/v1/files"]);

export const defaultBodyLimit: MiddlewareHandler = (c, next) =>
  OWN_LIMIT.has(`${c.req.method} ${c.req.path}`) ? next() : limitDefault(c, next);
