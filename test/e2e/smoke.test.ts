import { expect, inject, it } from "vitest";

it("serves health and the seeded login", async () => {
  const base = inject("baseUrl");
  expect((await fetch(`${base}/health`)).status).toBe(200);
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "demo@edgewise.dev", password: "edgewise-demo-pass" }),
  });
  expect(res.status).toBe(200);
});
