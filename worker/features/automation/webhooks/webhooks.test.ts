/**
 * Webhooks against a local receiver that checks signatures (test/worker/fake-web.ts):
 * signed deliveries per event type, retries with backoff and the delivery log,
 * automatic disabling with its dead letters and replay, Slack/Discord formats,
 * email, the event store with replay of a time range, and the R2 archive.
 */
import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { call, createUser, json, type TestUser } from "../../../../test/worker/support/api";
import { getJson } from "../../../../test/worker/support/automation";
import { fakeWebHost, setConfig } from "../../../../test/worker/support/config";
import { rows } from "../../../../test/worker/support/db";
import { expectError } from "../../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../../config/registry";
import { verifySignature } from "../engine/webhook-signature";

// These tests wait on real clocks (backoff, alarms, token buckets); a loaded machine needs headroom.
vi.setConfig({ testTimeout: 20_000 });

type Received = { headers: Record<string, string>; body: string; verified: boolean; status: number };
type Delivery = {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  attempt_log: { status_code: number | null }[];
  replay: boolean;
};
type Webhook = { id: string; enabled: boolean; disabled_reason: string | null; consecutive_failures: number };

const web = () => env.FAKE_WEB_URL;
const fast = { ...CONFIG_REGISTRY.webhooks.default, retry_base_ms: 30, retry_max_ms: 100 };

beforeAll(async () => {
  await setConfig("outbound", { ...CONFIG_REGISTRY.outbound.default, allow_private_hosts: [fakeWebHost()] });
});
beforeEach(async () => {
  await setConfig("webhooks", fast);
});

async function receiver(fail = 0) {
  const id = crypto.randomUUID();
  if (fail) await fetch(`${web()}/receiver/fail?id=${id}&count=${fail}`, { method: "POST" });
  return {
    id,
    url: `${web()}/receiver?id=${id}`,
    setSecret: (secret: string) => fetch(`${web()}/receiver/secret?id=${id}`, { method: "POST", body: secret }),
    heal: () => fetch(`${web()}/receiver/fail?id=${id}&count=0`, { method: "POST" }),
    log: async () => (await fetch(`${web()}/receiver/log?id=${id}`)).json() as Promise<Received[]>,
  };
}

async function subscribe(user: TestUser, body: Record<string, unknown>) {
  const res = await call("/api/v1/webhooks", { token: user.accessToken, body: { name: "hook", ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<{ webhook: Webhook; secret: string | null }>(res);
}

const publish = (user: TestUser, text: string) =>
  call("/api/v1/events", { token: user.accessToken, body: { type: "user.message", data: { text } } });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeout = 8_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("signed deliveries", () => {
  it("signs every delivery so the receiver can verify it, and logs it", async () => {
    const user = await createUser();
    const hook = await receiver();
    const { webhook, secret } = await subscribe(user, { url: hook.url, event_types: ["user.message"] });
    expect(secret).toMatch(/^whsec_/);
    await hook.setSecret(secret ?? "");
    expect((await publish(user, "hello hooks")).status).toBe(201);
    const log = await until(hook.log, (l) => l.length >= 1);
    expect(log).toHaveLength(1);
    const [got] = log as [Received];
    expect(got.verified).toBe(true);
    expect(got.headers).toMatchObject({ "x-edgewise-event": "user.message", "content-type": "application/json" });
    const body = JSON.parse(got.body) as {
      type: string;
      data: { text: string };
      delivery: { id: string; attempt: number };
    };
    expect(body).toMatchObject({ type: "user.message", data: { text: "hello hooks" }, delivery: { attempt: 1 } });
    expect(got.headers["idempotency-key"]).toBe(body.delivery.id);
    // The documented verification, done here as a receiver would.
    const headers = {
      timestamp: got.headers["x-edgewise-timestamp"] ?? null,
      signature: got.headers["x-edgewise-signature"] ?? null,
    };
    expect(await verifySignature(secret ?? "", headers, got.body)).toBe(true);
    expect(await verifySignature(secret ?? "", headers, `${got.body} `)).toBe(false);
    expect(await verifySignature("whsec_wrong", headers, got.body)).toBe(false);
    expect(await verifySignature(secret ?? "", headers, got.body, Date.now() + 600_000)).toBe(false);

    const deliveries = await getJson<{ items: Delivery[] }>(user, `/api/v1/webhooks/${webhook.id}/deliveries`);
    expect(deliveries.items).toMatchObject([
      { event_type: "user.message", status: "succeeded", attempts: 1, last_status_code: 200 },
    ]);
    const stored = await getJson<Webhook & { secret?: string }>(user, `/api/v1/webhooks/${webhook.id}`);
    expect(stored).not.toHaveProperty("secret");
    expect(JSON.stringify(await rows("SELECT * FROM webhook_subscriptions WHERE id = ?", webhook.id))).not.toContain(
      secret,
    );
  });

  it("delivers only the event types and topics a subscription asked for", async () => {
    const user = await createUser();
    const hook = await receiver();
    await subscribe(user, { url: hook.url, event_types: ["task"] });
    await publish(user, "not for the task hook");
    await call("/api/v1/tasks", { token: user.accessToken, body: { title: "t", action: { kind: "sleep", ms: 0 } } });
    const log = await until(hook.log, (l) => l.some((d) => d.body.includes("task.succeeded")));
    const types = log.map((d) => (JSON.parse(d.body) as { type: string }).type);
    expect(types).toContain("task.created");
    expect(types).toContain("task.succeeded");
    expect(types.every((type) => type.startsWith("task."))).toBe(true);
    expect(types).not.toContain("task.progress");
  });
});

describe("retries, disabling and dead letters", () => {
  it("retries a failing endpoint with backoff and logs every attempt", async () => {
    const user = await createUser();
    const hook = await receiver(2);
    const { webhook, secret } = await subscribe(user, { url: hook.url, event_types: ["user"] });
    await hook.setSecret(secret ?? "");
    await publish(user, "retry me");
    const page = await until(
      () => getJson<{ items: Delivery[] }>(user, `/api/v1/webhooks/${webhook.id}/deliveries`),
      (p) => p.items[0]?.status === "succeeded",
    );
    expect(page.items[0]).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(page.items[0]?.attempt_log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    const log = await hook.log();
    expect(log.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(log.every((d) => d.verified)).toBe(true);
    const attempts = log.map((d) => (JSON.parse(d.body) as { delivery: { attempt: number } }).delivery.attempt);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("gives up after max attempts, disables a failing endpoint, tells the owner, and replays from the dead letters", {
    timeout: 20_000,
  }, async () => {
    await setConfig("webhooks", { ...fast, max_attempts: 2, disable_after_failures: 4 });
    const user = await createUser();
    const hook = await receiver(-1);
    const { webhook } = await subscribe(user, { url: hook.url, event_types: ["user.message"] });
    await publish(user, "one");
    await publish(user, "two");
    const disabled = await until(
      () => getJson<Webhook>(user, `/api/v1/webhooks/${webhook.id}`),
      (w) => !w.enabled,
    );
    expect(disabled).toMatchObject({
      enabled: false,
      consecutive_failures: 4,
      disabled_reason: "4 delivery attempts in a row failed",
    });
    const letters = await until(
      () => getJson<{ items: { id: string; source: string }[] }>(user, "/api/v1/dead-letters?source=webhook_delivery"),
      (p) => p.items.length >= 2,
    );
    expect(letters.items).toHaveLength(2);
    const events = await getJson<{ items: { type: string }[] }>(user, "/api/v1/events?limit=200");
    expect(events.items.map((e) => e.type)).toContain("integration.webhook_disabled");
    const mail = await json<{ items: { subject: string }[] }>(
      await call(`/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`),
    );
    expect(mail.items.some((m) => m.subject.includes("was disabled"))).toBe(true);

    // Disabled: nothing more is sent, and replay waits until it is enabled again.
    await publish(user, "three");
    const letter = letters.items[0]?.id;
    await expectError(
      await call(`/api/v1/dead-letters/${letter}/replay`, { method: "POST", token: user.accessToken }),
      409,
      "subscription_disabled",
    );
    await hook.heal();
    await call(`/api/v1/webhooks/${webhook.id}`, { method: "PATCH", token: user.accessToken, body: { enabled: true } });
    const replayed = await call(`/api/v1/dead-letters/${letter}/replay`, { method: "POST", token: user.accessToken });
    expect(replayed.status).toBe(200);
    expect(await json(replayed)).toMatchObject({
      requeued: { source: "webhook_delivery", status: "pending" },
      dead_letter: { replay_count: 1 },
    });
    const log = await until(hook.log, (l) => l.some((d) => d.status === 200));
    const ok = log
      .filter((d) => d.status === 200)
      .map((d) => (JSON.parse(d.body) as { data: { text: string } }).data.text);
    expect(ok).toHaveLength(1);
    expect(["one", "two"]).toContain(ok[0]);
  });
});

describe("formats and channels", () => {
  it("speaks Slack's and Discord's incoming-webhook formats", async () => {
    const user = await createUser();
    const slack = await receiver();
    const discord = await receiver();
    await subscribe(user, { kind: "slack", url: slack.url, event_types: ["task.failed"] });
    await subscribe(user, { kind: "discord", url: discord.url, event_types: ["task.failed"] });
    await call("/api/v1/tasks", {
      token: user.accessToken,
      body: { title: "ERP sync", max_retries: 0, action: { kind: "http", url: `${web()}/status?code=404` } },
    });
    const [s] = await until(slack.log, (l) => l.length > 0);
    const [d] = await until(discord.log, (l) => l.length > 0);
    const slackBody = JSON.parse(s?.body ?? "{}") as { text: string; blocks: unknown[] };
    expect(slackBody.text).toMatch(/^Task "ERP sync": failed — http_status/);
    expect(slackBody.blocks).toHaveLength(2);
    const discordBody = JSON.parse(d?.body ?? "{}") as { content: string; embeds: { title: string; color: number }[] };
    expect(discordBody.content).toBe(slackBody.text);
    expect(discordBody.embeds[0]).toMatchObject({ title: "task.failed", color: 0xc62828 });
  });

  it("emails the owner for an email subscription", async () => {
    const user = await createUser();
    const { secret } = await subscribe(user, { kind: "email", event_types: ["user.message"] });
    expect(secret).toBeNull();
    await publish(user, "mail me");
    const mail = await until(
      async () =>
        json<{ items: { subject: string; text: string }[] }>(
          await call(`/api/v1/dev/outbox?to=${encodeURIComponent(user.email)}`),
        ),
      (m) => m.items.some((item) => item.text.includes("mail me")),
    );
    expect(mail.items.some((item) => item.subject.startsWith("[Edgewise] user.message"))).toBe(true);
  });

  it("sends a test ping and refuses bad subscriptions", async () => {
    const user = await createUser();
    const hook = await receiver();
    const { webhook } = await subscribe(user, { url: hook.url, event_types: ["task"] });
    expect(
      (await call(`/api/v1/webhooks/${webhook.id}/test`, { method: "POST", token: user.accessToken })).status,
    ).toBe(202);
    const [got] = await until(hook.log, (l) => l.length > 0);
    expect(JSON.parse(got?.body ?? "{}")).toMatchObject({ type: "integration.webhook_test" });
    for (const body of [
      { name: "x", url: hook.url, event_types: ["nope.never"] },
      { name: "x", url: "ftp://example.com", event_types: ["task"] },
      { name: "x", url: hook.url, event_types: [] },
    ]) {
      await expectError(await call("/api/v1/webhooks", { token: user.accessToken, body }), 400, "validation_failed");
    }
    await expectError(
      await call("/api/v1/webhooks", { token: user.accessToken, body: { name: "x", event_types: ["task"] } }),
      422,
      "url_required",
    );
  });
});

describe("the event store", () => {
  it("keeps events, serves a time range, and replays it to a webhook", async () => {
    const user = await createUser();
    const from = new Date(Date.now() - 1_000).toISOString();
    for (const text of ["a", "b", "c"]) await publish(user, text);
    const to = new Date(Date.now() + 1_000).toISOString();
    const history = await getJson<{ items: { type: string; data: { text?: string } }[] }>(
      user,
      `/api/v1/events/history?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&type=user`,
    );
    expect(history.items.map((e) => e.data.text)).toEqual(["a", "b", "c"]);

    const hook = await receiver();
    const { webhook, secret } = await subscribe(user, { url: hook.url, event_types: ["user.message"] });
    await hook.setSecret(secret ?? "");
    const res = await call(`/api/v1/webhooks/${webhook.id}/replay`, { token: user.accessToken, body: { from, to } });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ queued: 3, from_archive: 0 });
    const log = await until(hook.log, (l) => l.length >= 3);
    const bodies = log.map((d) => JSON.parse(d.body) as { data: { text: string }; delivery: { replay: boolean } });
    expect(bodies.map((b) => b.data.text).sort()).toEqual(["a", "b", "c"]);
    expect(bodies.every((b) => b.delivery.replay)).toBe(true);
    expect(log.every((d) => d.verified)).toBe(true);
  });

  it("archives old events to R2 on the housekeeping cron and still replays them", async () => {
    const user = await createUser();
    const old = Date.now() - 40 * 86_400_000;
    await env.DB.prepare(
      "INSERT INTO event_log (id, user_id, seq, type, data, created_at) VALUES (?, ?, 1, 'user.message', ?, ?)",
    )
      .bind(crypto.randomUUID(), user.id, JSON.stringify({ text: "from long ago" }), old)
      .run();
    const result = await (
      exports.default as unknown as { scheduled(c: ScheduledController): Promise<{ outcome: string }> }
    ).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }));
    expect(result.outcome).toBe("ok");
    expect(await rows("SELECT id FROM event_log WHERE user_id = ? AND created_at = ?", user.id, old)).toEqual([]);
    const listed = await env.FILES.list({ prefix: `events/${user.id}/` });
    expect(listed.objects).toHaveLength(1);

    const range = { from: new Date(old - 1_000).toISOString(), to: new Date(old + 1_000).toISOString() };
    const history = await getJson<{ items: { data: { text: string } }[] }>(
      user,
      `/api/v1/events/history?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`,
    );
    expect(history.items.map((e) => e.data.text)).toEqual(["from long ago"]);
    const hook = await receiver();
    const { webhook } = await subscribe(user, { url: hook.url, event_types: ["user"] });
    const res = await call(`/api/v1/webhooks/${webhook.id}/replay`, { token: user.accessToken, body: range });
    expect(await json(res)).toEqual({ queued: 1, from_archive: 1 });
    const log = await until(hook.log, (l) => l.length > 0);
    expect(JSON.parse(log[0]?.body ?? "{}")).toMatchObject({ data: { text: "from long ago" } });
  });
});
