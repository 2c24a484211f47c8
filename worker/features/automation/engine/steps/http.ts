/**
 * HTTP request steps: through the outbound guard (the URL is user-steered), with
 * the step's idempotency key as `Idempotency-Key` on every attempt, so a receiver
 * that honours it applies a retried or resumed request once.
 */

import type { z } from "zod";
import { guardedFetch, OutboundError } from "../../../outbound/guarded-fetch";
import type { HttpStep } from "../definition";
import { failure, type StepExecutor } from "./types";

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_TEXT = 64 * 1024;

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if ((res.headers.get("content-type") ?? "").includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

export const runHttpStep: StepExecutor<z.infer<typeof HttpStep>> = async (step, ctx) => {
  const headers = new Headers(step.headers);
  headers.set("idempotency-key", ctx.idempotencyKey);
  let body: string | undefined;
  if (step.body !== undefined && step.method !== "GET") {
    body = typeof step.body === "string" ? step.body : JSON.stringify(step.body);
    if (!headers.has("content-type"))
      headers.set("content-type", typeof step.body === "string" ? "text/plain" : "application/json");
  }
  let res: Response;
  try {
    res = await guardedFetch(
      ctx.env,
      step.url,
      { method: step.method, headers, body, signal: ctx.signal },
      { timeoutMs: ctx.timeoutMs },
    );
  } catch (error) {
    if (error instanceof OutboundError) {
      const retryable = error.code === "outbound_timeout" || error.code === "outbound_failed";
      return failure(error.code, error.message, retryable);
    }
    return failure("http_failed", error instanceof Error ? error.message : String(error), true);
  }
  const output = {
    status: res.status,
    content_type: res.headers.get("content-type"),
    body: await readBody(res).catch(() => null),
  };
  const ok = step.expect_status ? step.expect_status.includes(res.status) : res.status >= 200 && res.status < 300;
  if (ok) return { ok: true, output, costMicros: 0 };
  return failure(
    "http_status",
    `${step.method} ${new URL(step.url).host} answered ${res.status}`,
    RETRYABLE_STATUS.has(res.status),
    {
      output,
    },
  );
};
