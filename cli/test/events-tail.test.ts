/**
 * `edgewise events tail` against the real live hub: it receives an event published
 * while it runs, replays buffered events with --since, and stops on Ctrl-C. Runs as
 * a freshly registered user so events from other test files cannot interleave.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CliUser, collect, ensureBuilt, removeScratchDirs, waitForStderr } from "./support/cli";

const baseUrl = inject("baseUrl");

afterAll(() => removeScratchDirs());

async function api(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers,
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Registers an account and follows the verification link from the development outbox. */
async function verify(email: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { json } = await api(`/dev/outbox?to=${encodeURIComponent(email)}&kind=verify_email`);
    const text = (json.items as { text: string }[] | undefined)?.[0]?.text ?? "";
    const token = /token=([^\s&]+)/.exec(text)?.[1];
    if (token) {
      expect((await api("/auth/verify-email", { body: { token: decodeURIComponent(token) } })).status).toBe(200);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no verification email for ${email}`);
}

describe("events tail", () => {
  const cli = new CliUser(baseUrl);
  const email = `cli-tail-${randomUUID().slice(0, 8)}@example.com`;
  const password = "cli-tail-password-1";
  const publish = (text: string) =>
    api("/events", { token: cli.session().access_token, body: { type: "user.message", data: { text } } });

  beforeAll(async () => {
    ensureBuilt();
    const registered = await api("/auth/register", { body: { email, password, name: "CLI tail" } });
    expect(registered.status).toBe(201);
  });

  it("login before verifying the email is refused with the reason", async () => {
    const result = await cli.run(["login", "--email", email, "--password-stdin"], { input: password });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Verify your email first.*\(email_not_verified\)/);
    await verify(email);
    expect((await cli.run(["login", "--email", email, "--password-stdin"], { input: password })).code).toBe(0);
  });

  it("--count 1 prints the event published while it runs, then exits 0", async () => {
    const child = cli.spawn(["events", "tail", "--topics", "user", "--count", "1", "--json"]);
    const done = collect(child);
    await waitForStderr(child, /^connected \(topics user; last event #\d+\)$/m);
    const text = `hello from the test ${randomUUID()}`;
    const published = await publish(text);
    expect(published.status).toBe(201);
    const result = await done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toEqual(published.json.event);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ type: "user.message", data: { text } });
  });

  it("--since replays buffered events first, as text lines", async () => {
    const first = await publish("replay one");
    await publish("replay two");
    const firstId = (first.json.event as { id: number }).id;
    const result = await cli.run([
      "events",
      "tail",
      "--since",
      String(firstId - 1),
      "--count",
      "2",
      "--topics",
      "user",
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`#${firstId}  user\\.message  \\{"text":"replay one"\\}$`));
    expect(lines[1]).toMatch(new RegExp(`#${firstId + 1}  user\\.message  \\{"text":"replay two"\\}$`));
    expect(result.stderr).toMatch(/^connected \(topics user; last event #\d+\)$/m);
  });

  it("Ctrl-C stops it cleanly with exit code 130", async () => {
    const child = cli.spawn(["events", "tail"]);
    const done = collect(child);
    await waitForStderr(child, /^connected/m);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("stopped after 0 event(s)");
  });

  it("a bad topic is refused before connecting", async () => {
    const result = await cli.run(["events", "tail", "--topics", "Not A Topic"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not a topic name: Not A Topic");
  });

  it("without credentials it says to log in (exit 2)", async () => {
    const stranger = new CliUser(baseUrl);
    const result = await stranger.run(["events", "tail", "--count", "1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("(not_logged_in)");
  });
});
