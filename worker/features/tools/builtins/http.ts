/**
 * `http_fetch` (GET/HEAD, safe to run unattended) and `http_request` (any method
 * and a body, so dangerous: it can change things elsewhere). Both go through the
 * outbound guard (features/outbound), which refuses private, loopback, link-local
 * and metadata addresses and non-http(s) schemes on every redirect hop, and caps
 * size and time. The body comes back as text, truncated to `max_chars`.
 */
import { z } from "zod";
import { guardedFetch } from "../../outbound/guarded-fetch";
import { defineTool, type ToolContext, ToolError } from "../define-tool";

const DEFAULT_MAX_CHARS = 20_000;
/** Response headers worth showing a model; the rest is noise (or cookies). */
const SHOWN_HEADERS = ["content-type", "content-length", "content-language", "last-modified", "etag", "location"];

const Url = z
  .string()
  .max(2_000)
  .refine((value) => URL.canParse(value), "Not an absolute URL");

const Headers = z
  .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "Not a header name"), z.string().max(2_000))
  .refine((headers) => Object.keys(headers).length <= 20, "At most 20 headers")
  .optional();

const MaxChars = z.number().int().min(100).max(200_000).default(DEFAULT_MAX_CHARS);

const HttpResult = z.object({
  url: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  truncated: z.boolean(),
});

type Request = {
  url: string;
  method: string;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  max_chars: number;
};

/** Reads at most `maxChars` characters (about 4 bytes each, at most) and lets the rest go. */
async function readText(res: Response, maxChars: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let done = false;
  while (text.length <= maxChars) {
    const chunk = await reader.read();
    if (chunk.done) {
      done = true;
      break;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  if (done) text += decoder.decode();
  else await reader.cancel();
  return { text: text.slice(0, maxChars), truncated: !done || text.length > maxChars };
}

/** OutboundError (blocked, too large, timed out) propagates: the executor turns it into the outcome's error. */
async function send(request: Request, ctx: ToolContext): Promise<z.input<typeof HttpResult>> {
  const res = await guardedFetch(ctx.env, request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: ctx.signal,
  });
  const { text, truncated } =
    request.method === "HEAD" ? { text: "", truncated: false } : await readText(res, request.max_chars);
  const headers = Object.fromEntries(
    SHOWN_HEADERS.flatMap((name) => (res.headers.has(name) ? [[name, res.headers.get(name) ?? ""]] : [])),
  );
  return { url: request.url, status: res.status, headers, body: text, truncated };
}

export const httpFetch = defineTool({
  name: "http_fetch",
  description:
    "Fetches a public http(s) URL with GET or HEAD and returns the status, a few headers and the body as text " +
    "(truncated to max_chars). Private and internal addresses are refused.",
  input: z.object({
    url: Url,
    method: z.enum(["GET", "HEAD"]).default("GET"),
    headers: Headers,
    max_chars: MaxChars,
  }),
  output: HttpResult,
  timeoutMs: 15_000,
  cacheTtlSeconds: 60,
  run: (input, ctx) => send(input, ctx),
});

export const httpRequest = defineTool({
  name: "http_request",
  description:
    "Sends an HTTP request with any method and an optional text body to a public http(s) URL (an API call, a " +
    "form post, a webhook). Can change things elsewhere, so it needs approval. Private addresses are refused.",
  input: z.object({
    url: Url,
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    headers: Headers,
    body: z.string().max(100_000).optional(),
    max_chars: MaxChars,
  }),
  output: HttpResult,
  timeoutMs: 15_000,
  dangerous: true,
  async run(input, ctx) {
    if (input.body !== undefined && (input.method === "GET" || input.method === "HEAD"))
      throw new ToolError("invalid_request", `${input.method} requests cannot have a body`);
    return send(input, ctx);
  },
});
