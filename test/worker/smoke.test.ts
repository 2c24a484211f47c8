import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers /health", async () => {
  const res = await exports.default.fetch("http://x/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

it("registers, verifies, logs in", async () => {
  const reg = await exports.default.fetch("http://x/api/v1/auth/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "a@example.com", password: "long enough pass", name: "A" }),
  });
  expect(reg.status).toBe(201);
  const box = await exports.default.fetch("http://x/api/v1/dev/outbox?to=a@example.com");
  const mail = (await box.json()) as { items: { text: string }[] };
  console.log(mail.items[0]?.text);
});
