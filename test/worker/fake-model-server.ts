/**
 * What the local model servers (fake-openai, fake-anthropic, fake-google) share: the
 * scripted conversation, failures scripted by model name, the request log behind
 * `GET /__requests`, and a Node HTTP server on 127.0.0.1. Each fake turns its own
 * wire format into a `Turn` and the `Reply` back into its wire format.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLocal } from "./local-server";

/** The part of a conversation a reply depends on: a tool's result, or what the user last said. */
export type Turn = { toolResult: { name: string; content: string } } | { userText: string };
export type Reply = { text: string } | { tool: { name: string; arguments: string } };
export type Recorded = {
  method: string;
  path: string;
  model: string | null;
  headers: Record<string, string>;
  body: unknown;
};

export const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** Text of a message's content in any of the three APIs' shapes (string, or parts with `text`). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : ""))
      .join("");
  return content == null ? "" : JSON.stringify(content);
}

/**
 * A tool result → `tool <name> returned <content>`; user `call: <tool> <json>` → that
 * tool call; `say: <text>` → `<text>`; anything else → `You said: <text>`.
 */
export function scriptedReply(turn: Turn): Reply {
  if ("toolResult" in turn) return { text: `tool ${turn.toolResult.name} returned ${turn.toolResult.content}` };
  const said = turn.userText.trim();
  const call = /^call:\s*([\w.-]+)\s*([\s\S]*)$/.exec(said);
  if (call) return { tool: { name: call[1]!, arguments: call[2]?.trim() || "{}" } };
  const say = /^say:\s*([\s\S]*)$/.exec(said);
  return { text: say ? say[1]! : `You said: ${said}` };
}

/** Splits text into a few deltas so clients see a real stream. */
export function pieces(text: string): string[] {
  return text.match(/.{1,8}/gs) ?? [""];
}

/**
 * The status to fail with for this request, if its model is scripted to fail:
 * `flaky-<status>-<n>…` fails n times then succeeds, `always-<status>…` always fails.
 * Counters are per model name, so tests add a unique suffix.
 */
export function failureScript() {
  const seen = new Map<string, number>();
  return (model: string): number | null => {
    const always = /^always-(\d{3})/.exec(model);
    if (always) return Number(always[1]);
    const flaky = /^flaky-(\d{3})-(\d+)/.exec(model);
    if (!flaky) return null;
    const count = seen.get(model) ?? 0;
    seen.set(model, count + 1);
    return count < Number(flaky[2]) ? Number(flaky[1]) : null;
  };
}

/** Requests as received, for `GET /__requests?model=&key=` (`key` matched by `keyOf`). */
export function requestLog(keyOf: (headers: Record<string, string>) => string | undefined) {
  const requests: Recorded[] = [];
  return {
    async record(req: IncomingMessage, url: URL, model: (body: unknown) => string | null) {
      const body = await readBody(req);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const recorded = { method: req.method ?? "GET", path: url.pathname, model: model(body), headers, body };
      requests.push(recorded);
      return recorded;
    },
    list(res: ServerResponse, url: URL) {
      const model = url.searchParams.get("model");
      const key = url.searchParams.get("key");
      const matching = requests.filter((r) => (!model || r.model === model) && (!key || keyOf(r.headers) === key));
      sendJson(res, 200, matching);
    },
  };
}

export const bodyModel = (body: unknown) =>
  body && typeof body === "object" && "model" in body ? String(body.model) : null;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function startSse(res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

/** Serves `handle` on 127.0.0.1 at a free port; a throw becomes `onError`'s 500 (or a dropped connection mid-stream). */
export async function startModelServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (res: ServerResponse, message: string) => void,
) {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) onError(res, String(error));
      else res.destroy();
    });
  });
  return listenLocal(server);
}
