/**
 * A local stand-in for a Resend-compatible email API, started by the worker
 * suite's globalSetup: POST /emails (Bearer key, JSON) answers `{id}` and is
 * recorded; GET /__received lists what arrived. Recipients containing "bounce"
 * get a 500, so failure handling is exercised too.
 */
import { createServer } from "node:http";
import { listenLocal } from "./local-server";

type Received = { authorization: string | undefined; idempotencyKey: string | undefined; body: unknown };

export async function startFakeEmailProvider() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && req.url === "/__received") return res.end(JSON.stringify(received));
      if (req.method !== "POST" || req.url !== "/emails") return res.writeHead(404).end("{}");
      if (req.headers.authorization !== "Bearer test-email-key") return res.writeHead(401).end('{"message":"bad key"}');
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { to: string[] };
      received.push({
        authorization: req.headers.authorization,
        idempotencyKey: req.headers["idempotency-key"] as string | undefined,
        body,
      });
      if (body.to.some((to) => to.includes("bounce"))) return res.writeHead(500).end('{"message":"provider down"}');
      res.end(JSON.stringify({ id: `msg_${received.length}` }));
    });
  });
  return listenLocal(server);
}
