/**
 * One HTTP exchange with the API and nothing more: JSON in, a schema-checked
 * value or an `ApiError` (from the `{error:{code,message,details}}` envelope) out.
 * api-client.ts adds credentials, refresh and retries on top.
 */
import type { z } from "zod";
import { ErrorEnvelope } from "./api-types";
import { ApiError, CliError } from "./errors";
import { USER_AGENT } from "./version";

export type Exchange = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
};

/** Seconds from a `Retry-After` header (either form), if the server sent one. */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function unreachable(url: string, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = (cause as NodeJS.ErrnoException)?.code ?? (cause instanceof Error ? cause.message : String(cause));
  return new CliError("network_error", `cannot reach ${new URL(url).origin} (${detail})`, 1, [
    "is the server running? Choose another with --base-url or EDGEWISE_URL",
  ]);
}

async function readJson(response: Response): Promise<unknown> {
  // DELETEs answer 204 No Content.
  if (response.status === 204) return null;
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) {
    throw new CliError(
      "bad_response",
      `the server answered HTTP ${response.status} with ${type || "no content type"}, not JSON`,
      1,
      ["is --base-url an Edgewise server?"],
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError("bad_response", `the server answered HTTP ${response.status} with malformed JSON`);
  }
}

function toApiError(status: number, json: unknown, headers: Headers): ApiError {
  const envelope = ErrorEnvelope.safeParse(json);
  if (!envelope.success) return new ApiError(status, "http_error", `the server answered HTTP ${status}`, json);
  const { code, message, details } = envelope.data.error;
  const retry = retryAfterSeconds(headers);
  const hints = retry !== undefined && status === 429 ? [`try again in ${retry} s`] : [];
  return new ApiError(status, code, message, details ?? null, hints, retry);
}

export type Reply<T> = { value: T; status: number; headers: Headers };

export async function exchange<T>(request: Exchange, schema: z.ZodType<T>): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT, ...request.headers };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  } catch (error) {
    throw unreachable(request.url, error);
  }
  return { value: await parseReply(request, response, schema), status: response.status, headers: response.headers };
}

/** A response's JSON checked against `schema`, or the `ApiError` its envelope describes. */
export async function parseReply<T>(
  request: { method: string; url: string },
  response: Response,
  schema: z.ZodType<T>,
): Promise<T> {
  const json = await readJson(response);
  if (!response.ok) throw toApiError(response.status, json, response.headers);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new CliError(
      "bad_response",
      `unexpected response from ${request.method} ${new URL(request.url).pathname}`,
      1,
      [`${where}: ${issue?.message ?? "does not match"}`],
    );
  }
  return parsed.data;
}

/** A fetch that reports an unreachable server as a CliError, like every other exchange. */
export async function send(url: string, init: RequestInit & { duplex?: "half" }): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: { "user-agent": USER_AGENT, ...(init.headers as Record<string, string>) },
    });
  } catch (error) {
    throw unreachable(url, error);
  }
}
