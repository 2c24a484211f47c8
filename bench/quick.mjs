/**
 * `npm run bench:quick`: a 15-second look at three paths (bare Hono, /health with
 * the middleware stack, authenticated /api/v1/me) at 8 clients, for comparing a
 * change before and after. The full measurement is `npm run bench`.
 */
import { startDevServer } from "../cli/dev/dev-server.mjs";
import { runLoad } from "./load.mjs";

const server = await startDevServer();
try {
  const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "demo@edgewise.dev", password: "edgewise-demo-pass" }),
  });
  const { access_token } = await res.json();
  const paths = [
    ["/__baseline", {}],
    ["/health", {}],
    ["/api/v1/me", { authorization: `Bearer ${access_token}` }],
  ];
  for (const [path, headers] of paths) {
    const spec = { url: `${server.baseUrl}${path}`, headers, concurrency: 8, expectStatus: 200 };
    await runLoad({ ...spec, seconds: 1 });
    const result = await runLoad({ ...spec, seconds: 4 });
    console.log(
      `${path.padEnd(12)} ${String(result.rps).padStart(5)} req/s  p50 ${result.p50_ms} ms  p95 ${result.p95_ms} ms  errors ${result.errors}`,
    );
  }
} finally {
  server.stop();
}
