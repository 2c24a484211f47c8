import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { call, json } from "../../../test/worker/support/api";
import { createApp } from "../../app";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { deliverQueued, outboxInsert } from "./sender";

/** Production mode: EMAIL_PROVIDER=http, pointed at the local Resend-compatible server. */
const httpEnv = { ...env, EMAIL_PROVIDER: "http" } as Env;

type Received = {
  authorization: string;
  idempotencyKey: string;
  body: { to: string[]; subject: string; from: string };
};

async function received(): Promise<Received[]> {
  return json<Received[]>(await fetch(`${env.EMAIL_API_URL}/__received`));
}

async function queue(to: string) {
  const db = getDb(httpEnv);
  const message = outboxInsert(db, httpEnv, { userId: null, to, kind: "verify_email", subject: "Hello", text: "Body" });
  await message.statement;
  return message.id;
}

describe("HTTP email sender (production path)", () => {
  it("delivers a queued message to the provider and records its id", async () => {
    const to = `ok-${crypto.randomUUID()}@example.com`;
    const id = await queue(to);
    await deliverQueued(httpEnv, id);
    const row = await getDb(env).query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
    expect(row?.status).toBe("sent");
    expect(row?.providerMessageId).toMatch(/^msg_\d+$/);
    const sent = (await received()).find((r) => r.body.to[0] === to);
    expect(sent?.authorization).toBe("Bearer test-email-key");
    expect(sent?.idempotencyKey).toBe(id);
    expect(sent?.body.from).toBe(env.EMAIL_FROM);
  });

  it("marks a message failed when the provider errors, keeping it for a retry", async () => {
    const id = await queue(`bounce-${crypto.randomUUID()}@example.com`);
    await deliverQueued(httpEnv, id);
    const row = await getDb(env).query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
    expect(row?.status).toBe("failed");
    expect(row?.error).toContain("500");
  });

  it("in development writes to the outbox only and sends nothing", async () => {
    const email = `dev-${crypto.randomUUID()}@example.com`;
    const res = await call("/api/v1/auth/register", {
      body: { email, password: "a long password", name: "Dev" },
      ip: "203.0.113.9",
    });
    expect(res.status).toBe(201);
    const box = await json<{ items: { status: string; kind: string }[] }>(await call(`/api/v1/dev/outbox?to=${email}`));
    expect(box.items).toEqual([expect.objectContaining({ status: "sent", kind: "verify_email" })]);
    expect((await received()).some((r) => r.body.to[0] === email)).toBe(false);
  });

  it("hides the dev outbox outside development", async () => {
    // The same app with production settings: the route must not exist.
    const prodEnv = { ...env, ENVIRONMENT: "production" };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const res = await createApp().fetch(new Request("http://x/api/v1/dev/outbox?to=a@example.com"), prodEnv, ctx);
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ error: { code: "not_found" } });
  });
});
