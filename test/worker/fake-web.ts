/**
 * A local stand-in for "the internet" the outbound guard and web tools talk to,
 * started by the worker suite's globalSetup on 127.0.0.1 (allowlisted by tests
 * that need to reach it):
 * - GET /dns-query?name=&type= — a DNS-over-HTTPS JSON resolver: `*.private.test`
 *   → 10.0.0.5, `rebind.test` → 127.0.0.1, `metadata.test` → 169.254.169.254,
 *   `*.public.test` → 93.184.216.34, anything else → NXDOMAIN (no answers).
 * - GET /hello → text; /json → JSON; /big?bytes=N → N bytes; /slow?ms=N → waits;
 *   /redirect?to=URL → 302 to URL; /status?code=N → that status.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
      case "/big":
        res.setHeader("content-type", "application/octet-stream");
        return res.end(Buffer.alloc(Number(param("bytes")), 97));
      case "/slow":
        return setTimeout(() => res.end("finally"), Number(param("ms")));
      case "/redirect":
        return res.writeHead(302, { location: param("to") }).end();
      case "/status":
        return res.writeHead(Number(param("code"))).end(`status ${param("code")}`);
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
