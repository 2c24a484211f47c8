/**
 * A local stand-in for "the internet" the outbound guard and web tools talk to,
 * started by the worker suite's globalSetup on 127.0.0.1 (allowlisted by tests
 * that need to reach it):
 * - GET /dns-query?name=&type= — a DNS-over-HTTPS JSON resolver: `*.private.test`
 *   → 10.0.0.5, `rebind.test` → 127.0.0.1, `metadata.test` → 169.254.169.254,
 *   `*.public.test` → 93.184.216.34, anything else → NXDOMAIN (no answers).
 * - GET /hello → text; /json → JSON; /echo → the request's method, body and
 *   content type as JSON; /big?bytes=N → N bytes; /slow?ms=N → waits;
 *   /redirect?to=URL → 302 to URL; /status?code=N → that status.
 * - Web-search APIs, three shapes: SearXNG `GET /searxng/search?q=&format=json`,
 *   Brave `GET /brave/res/v1/web/search?q=&count=` (X-Subscription-Token
 *   `test-brave-key`), Tavily `POST /tavily/search {query, max_results}` (Bearer
 *   `test-tavily-key`). Results echo the query: "<query> — result N".
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FAKE_SEARCH_KEYS } from "./fake-credentials";

const ZONE: Array<[RegExp, string]> = [
  [/\.private\.test$/, "10.0.0.5"],
  [/^rebind\.test$/, "127.0.0.1"],
  [/^metadata\.test$/, "169.254.169.254"],
  [/\.public\.test$/, "93.184.216.34"],
];

function dnsAnswer(res: ServerResponse, name: string, type: string) {
  const address = ZONE.find(([pattern]) => pattern.test(name))?.[1];
  const answers = address && type === "A" ? [{ name, type: 1, TTL: 30, data: address }] : [];
  res.setHeader("content-type", "application/dns-json");
  res.end(JSON.stringify({ Status: address ? 0 : 3, Answer: answers }));
}

function hits(query: string, count: number) {
  return Array.from({ length: Math.min(count, 10) }, (_, i) => ({
    title: `${query} — result ${i + 1}`,
    url: `https://example.org/${encodeURIComponent(query)}/${i + 1}`,
    text: `Snippet ${i + 1} about ${query}`,
  }));
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readText(req)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function search(req: IncomingMessage, res: ServerResponse, url: URL) {
  const param = (name: string) => url.searchParams.get(name) ?? "";
  if (url.pathname === "/searxng/search") {
    if (param("format") !== "json") return sendJson(res, 400, { error: "format=json only" });
    const results = hits(param("q"), 3).map(({ title, url, text }) => ({ title, url, content: text, engine: "fake" }));
    return sendJson(res, 200, { query: param("q"), results });
  }
  if (url.pathname === "/brave/res/v1/web/search") {
    if (req.headers["x-subscription-token"] !== FAKE_SEARCH_KEYS.brave) return sendJson(res, 401, { error: "key" });
    const results = hits(param("q"), Number(param("count") || 5));
    return sendJson(res, 200, {
      web: { results: results.map(({ title, url, text }) => ({ title, url, description: text })) },
    });
  }
  if (req.method !== "POST") return sendJson(res, 405, { error: "POST only" });
  if (req.headers.authorization !== `Bearer ${FAKE_SEARCH_KEYS.tavily}`) return sendJson(res, 401, { error: "key" });
  const body = await readJson(req);
  const results = hits(String(body.query ?? ""), Number(body.max_results ?? 5));
  return sendJson(res, 200, {
    results: results.map(({ title, url, text }) => ({ title, url, content: text, score: 0.9 })),
  });
}

export async function startFakeWeb() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const param = (name: string) => url.searchParams.get(name) ?? "";
    switch (url.pathname) {
      case "/dns-query":
        return dnsAnswer(res, param("name"), param("type"));
      case "/hello":
        res.setHeader("content-type", "text/plain");
        return res.end("hello from the fake web");
      case "/json":
        res.setHeader("content-type", "application/json");
        return res.end(JSON.stringify({ ok: true, method: req.method }));
      case "/echo":
        return void readText(req).then((body) =>
          sendJson(res, 200, { method: req.method, body, content_type: req.headers["content-type"] ?? null }),
        );
      case "/big":
        res.setHeader("content-type", "application/octet-stream");
        return res.end(Buffer.alloc(Number(param("bytes")), 97));
      case "/slow":
        return setTimeout(() => res.end("finally"), Number(param("ms")));
      case "/redirect":
        return res.writeHead(302, { location: param("to") }).end();
      case "/status":
        return res.writeHead(Number(param("code"))).end(`status ${param("code")}`);
      case "/searxng/search":
      case "/brave/res/v1/web/search":
      case "/tavily/search":
        return void search(req, res, url);
      default:
        return res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
