/**
 * A local stand-in for "the internet" the outbound guard and web tools talk to,
 * started by the worker suite's globalSetup on 127.0.0.1 (allowlisted by tests
 * that need to reach it):
 * - GET /dns-query?name=&type= — a DNS-over-HTTPS JSON resolver: `*.private.test`
 *   → 10.0.0.5, `rebind.test` → 127.0.0.1, `metadata.test` → 169.254.169.254,
 *   `*.public.test` → 93.184.216.34, anything else → NXDOMAIN (no answers).
 * - GET /hello → text; /json → JSON; /echo → the request's method, body and
 *   content type as JSON; /big?bytes=N → N bytes; /slow?ms=N → waits;
 *   /redirect?to=URL → 302 to URL; /status?code=N → that status; /headers → the
 *   request's headers as JSON. The same server also listens on a second port
 *   (`otherUrl`): another origin, for redirects that cross one.
 * - Web-search APIs, three shapes: SearXNG `GET /searxng/search?q=&format=json`,
 *   Brave `GET /brave/res/v1/web/search?q=&count=` (X-Subscription-Token
 *   `test-brave-key`), Tavily `POST /tavily/search {query, max_results}` (Bearer
 *   `test-tavily-key`). Results echo the query: "<query> — result N".
 * Automation (docs/automation.md):
 * - /flaky?key=K&fail=N → 503 for the first N requests with key K, then 200 `{attempts}`.
 * - POST /effect?name=X&delay=MS → a side effect applied once per `Idempotency-Key`
 *   (answers after MS); GET /effect-stats?name=X → `{requests, applied, keys}`.
 * - POST /receiver/secret?id=R with the secret as body; POST /receiver?id=R → records
 *   the delivery and checks `X-Edgewise-Signature` (HMAC-SHA256 of `timestamp.body`) with
 *   that secret; answers 500 for the first `fail` deliveries (`/receiver/fail?id=R&count=N`,
 *   `count=-1` for always); GET /receiver/log?id=R → the deliveries with `verified`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { FAKE_SEARCH_KEYS } from "./fake-credentials";
import { listenLocal } from "./local-server";

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

type Delivery = { headers: Record<string, string>; body: string; verified: boolean; status: number };
const flaky = new Map<string, number>();
const effects = new Map<string, { requests: number; keys: Set<string> }>();
const hangs = new Map<string, { opened: number; closed: number }>();
const receivers = new Map<string, { secret: string; fail: number; log: Delivery[] }>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function receiver(id: string) {
  let entry = receivers.get(id);
  if (!entry) {
    entry = { secret: "", fail: 0, log: [] };
    receivers.set(id, entry);
  }
  return entry;
}

function verify(secret: string, headers: IncomingMessage["headers"], body: string): boolean {
  const timestamp = String(headers["x-edgewise-timestamp"] ?? "");
  const signature = String(headers["x-edgewise-signature"] ?? "");
  if (!secret || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function automation(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const param = (name: string) => url.searchParams.get(name) ?? "";
  switch (url.pathname) {
    case "/flaky": {
      const attempts = (flaky.get(param("key")) ?? 0) + 1;
      flaky.set(param("key"), attempts);
      if (attempts <= Number(param("fail"))) sendJson(res, 503, { attempts, error: "try again" });
      else sendJson(res, 200, { attempts });
      return true;
    }
    case "/effect": {
      const stats = effects.get(param("name")) ?? { requests: 0, keys: new Set<string>() };
      effects.set(param("name"), stats);
      stats.requests++;
      const key = String(req.headers["idempotency-key"] ?? `none-${stats.requests}`);
      await new Promise((resolve) => setTimeout(resolve, Number(param("delay") || 0)));
      const applied = !stats.keys.has(key);
      stats.keys.add(key);
      sendJson(res, 200, { name: param("name"), applied, count: stats.keys.size });
      return true;
    }
    case "/hang": {
      // Never answers: counts the request, and the moment its client drops the connection.
      const stats = hangs.get(param("name")) ?? { opened: 0, closed: 0 };
      hangs.set(param("name"), stats);
      stats.opened++;
      res.on("close", () => stats.closed++);
      return true;
    }
    case "/hang-stats":
      sendJson(res, 200, hangs.get(param("name")) ?? { opened: 0, closed: 0 });
      return true;
    case "/effect-stats": {
      const stats = effects.get(param("name"));
      sendJson(res, 200, {
        requests: stats?.requests ?? 0,
        applied: stats?.keys.size ?? 0,
        keys: [...(stats?.keys ?? [])],
      });
      return true;
    }
    case "/receiver/secret":
      receiver(param("id")).secret = await readBody(req);
      res.writeHead(204).end();
      return true;
    case "/receiver/fail":
      receiver(param("id")).fail = Number(param("count"));
      res.writeHead(204).end();
      return true;
    case "/receiver/log":
      sendJson(res, 200, receiver(param("id")).log);
      return true;
    case "/receiver": {
      const entry = receiver(param("id"));
      const body = await readBody(req);
      const failing = entry.fail !== 0;
      if (entry.fail > 0) entry.fail--;
      const status = failing ? 500 : 200;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      entry.log.push({ headers, body, verified: verify(entry.secret, req.headers, body), status });
      sendJson(res, status, { received: !failing });
      return true;
    }
    default:
      return false;
  }
}

export async function startFakeWeb() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const param = (name: string) => url.searchParams.get(name) ?? "";
    if (await automation(req, res, url)) return;
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
      case "/headers":
        return sendJson(res, 200, req.headers);
      case "/searxng/search":
      case "/brave/res/v1/web/search":
      case "/tavily/search":
        return void search(req, res, url);
      default:
        return res.writeHead(404).end("not found");
    }
  });
  const other = createServer((req, res) => server.emit("request", req, res));
  const [main, second] = await Promise.all([listenLocal(server), listenLocal(other)]);
  return {
    url: main.url,
    otherUrl: second.url,
    close: async () => {
      await Promise.all([main.close(), second.close()]);
    },
  };
}
