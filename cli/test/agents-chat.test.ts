/**
 * `edgewise agents …` and `edgewise chat` as real processes against the real app
 * (wrangler dev from test/e2e/global-setup.ts) with the offline model: agents from a
 * template, a `/calculator` turn streamed with its tool call and usage, resuming a
 * session from stdin, JSON events, approvals (--approve-all, refused without a
 * terminal), and Ctrl-C cancelling a turn whose tool hangs. First, the pure parts:
 * how a turn's events are routed and printed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StreamEvent } from "../src/commands/chat-api";
import { formatCost, TurnPrinter } from "../src/commands/chat-render";
import { TurnRouter } from "../src/commands/chat-turns";
import { CliUser, collect, ensureBuilt, removeScratchDirs, waitForStderr } from "./support/cli";

const DEMO = { email: "demo@edgewise.dev", password: "edgewise-demo-pass" };
const ADMIN = { email: "admin@edgewise.dev", password: "edgewise-admin-pass" };
const baseUrl = inject("baseUrl");
const suffix = Date.now().toString(36);

async function api(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** The web extension (http_request) on for `token`'s user, and local servers allowed as tool targets. */
async function allowLocalHttpRequests(token: string): Promise<void> {
  const installed = await api("POST", "/extensions", token, { name: "web" });
  expect([201, 409]).toContain(installed.status);
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const outbound = { allow_private_hosts: ["127.0.0.1"], max_response_bytes: 2_000_000, timeout_ms: 10_000 };
  expect((await api("PUT", "/admin/config/outbound", access_token, { value: outbound })).status).toBe(200);
}

/** A server that never answers: a tool call to it runs until cancelled. */
function startHangingServer(): Promise<{ server: Server; url: string }> {
  const server = createServer(() => {});
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow` });
    }),
  );
}

const sessionIn = (stderr: string) => /session ([0-9a-f-]{36})/.exec(stderr)?.[1] ?? "";

let seq = 0;
const event = (type: StreamEvent["type"], data: unknown, turn = "t1"): StreamEvent => ({
  seq: ++seq,
  turn_id: turn,
  type,
  data,
  ts: new Date().toISOString(),
});

function printer(json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const turn = new TurnPrinter({ write: (c: string) => out.push(c) }, { write: (c: string) => err.push(c) }, json);
  return { turn, out: () => out.join(""), err: () => err.join("") };
}

describe("printing a turn", () => {
  it("streams deltas to stdout, tool calls and the usage line to stderr, ending the answer's line first", () => {
    const p = printer();
    p.turn.handle(event("tool.started", { call_id: "c1", name: "calculator", input: { expression: "2+3" } }));
    p.turn.handle(
      event("tool.finished", {
        call_id: "c1",
        name: "calculator",
        status: "succeeded",
        execution_time_ms: 4,
        output: 5,
      }),
    );
    p.turn.handle(event("text.delta", { message_id: "m1", text: "The answer " }));
    p.turn.handle(event("text.delta", { message_id: "m1", text: "is 5" }));
    p.turn.handle(event("message", { message: { id: "m1", role: "assistant", content: "The answer is 5" } }));
    expect(p.turn.end).toBeNull();
    const usage = { input_tokens: 12, output_tokens: 3, cost_micros: 150, tool_calls: 1 };
    p.turn.handle(event("turn.completed", { steps: 2, usage, response_ms: 420 }));
    expect(p.out()).toBe("The answer is 5\n");
    expect(p.err()).toBe(
      '⚙ calculator {"expression":"2+3"}\n✔ calculator succeeded in 4 ms: 5\n' +
        "[12 in + 3 out tokens · $0.000150 · 2 steps · 1 tool call · 0.42 s]\n",
    );
    expect(p.turn.end).toEqual({ status: "completed" });
  });

  it("prints a message whole when its deltas were missed, says a rejection once, and ends on failure", () => {
    const p = printer();
    p.turn.handle(event("message", { message: { id: "m2", role: "assistant", content: "resumed text" } }));
    p.turn.handle(
      event("tool.approval_decided", { call_id: "c2", name: "http_request", decision: "rejected", reason: "no" }),
    );
    p.turn.handle(
      event("tool.finished", { call_id: "c2", name: "http_request", status: "rejected", execution_time_ms: 0 }),
    );
    p.turn.handle(event("turn.failed", { code: "model_error", message: "It broke" }));
    expect(p.out()).toBe("resumed text\n");
    expect(p.err()).toBe("✖ rejected http_request: no\nerror: It broke (model_error)\n");
    expect(p.turn.end).toEqual({ status: "failed", message: "It broke" });
  });

  it("--json prints every event as one line and no text", () => {
    const p = printer(true);
    p.turn.handle(event("text.delta", { message_id: "m3", text: "hi" }));
    p.turn.handle(event("turn.cancelled", { reason: "cancelled by the user" }));
    const lines = p
      .out()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as StreamEvent);
    expect(lines.map((line) => line.type)).toEqual(["text.delta", "turn.cancelled"]);
    expect(p.err()).toBe("turn cancelled (cancelled by the user)\n");
  });

  it("formats costs keeping small amounts readable", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(123)).toBe("$0.000123");
    expect(formatCost(1_234_500)).toBe("$1.2345");
  });

  it("routes a turn's events that arrived before its id was known, then the rest, and no other turn's", () => {
    const router = new TurnRouter();
    const seen: string[] = [];
    router.push(event("turn.started", {}, "early"));
    router.push(event("turn.started", {}, "other"));
    router.follow("early", (e) => seen.push(`${e.turn_id}:${e.type}`));
    router.push(event("text.delta", { text: "x" }, "early"));
    router.push(event("text.delta", { text: "y" }, "other"));
    router.release();
    router.push(event("turn.completed", {}, "early"));
    expect(seen).toEqual(["early:turn.started", "early:text.delta"]);
  });
});

describe("agents and chat", () => {
  const cli = new CliUser(baseUrl);
  const calc = `cli calculator ${suffix}`;
  const web = `cli web ${suffix}`;
  let hanging: { server: Server; url: string };

  beforeAll(async () => {
    ensureBuilt();
    hanging = await startHangingServer();
    const login = await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: DEMO.password });
    expect(login.code, login.stderr).toBe(0);
  });

  afterAll(() => {
    hanging?.server.closeAllConnections();
    hanging?.server.close();
    removeScratchDirs();
  });

  it("agents templates lists the catalogue, and create --template makes an agent from one", async () => {
    const templates = await cli.run(["agents", "templates"]);
    expect(templates.code).toBe(0);
    for (const id of ["research-assistant", "document-analyst", "web-automator", "project-analyst"])
      expect(templates.stdout).toContain(id);

    const args = ["--template", "general-assistant", "--model", "offline:assistant"];
    const created = await cli.run(["agents", "create", ...args, "--name", calc]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(
      new RegExp(`^Created agent "${calc}" \\([0-9a-f-]{36}\\) with offline:assistant\\.`),
    );
    expect(created.stderr).toContain("edgewise chat ");

    const row = (await cli.run(["agents", "ls"])).stdout.split("\n").find((line) => line.includes(calc));
    expect(row).toMatch(/assistant\s+offline:assistant\s+calculator,current_time\s+active$/);
    const shown = await cli.run(["agents", "show", calc]);
    expect(shown.stdout).toMatch(/template\s+general-assistant/);
    const json = JSON.parse((await cli.run(["agents", "show", calc, "--json"])).stdout) as { tools: string[] };
    expect(json.tools).toEqual(["calculator", "current_time"]);
  });

  it("chat --message streams the answer to stdout, the tool call and usage to stderr", async () => {
    const result = await cli.run(["chat", calc, "--message", '/calculator {"expression":"2+3"}']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("`calculator` returned:");
    expect(result.stdout).toMatch(/"value": 5\b/);
    expect(result.stderr).toContain(`${calc} · session `);
    expect(result.stderr).toContain('⚙ calculator {"expression":"2+3"}');
    expect(result.stderr).toMatch(/✔ calculator succeeded in \d+ ms: .*"value":5/);
    expect(result.stderr).toMatch(
      /\[[1-9]\d* in \+ [1-9]\d* out tokens · \$[\d.]+ · 2 steps · 1 tool call · [\d.]+ s\]/,
    );
  });

  it("chat --session continues a session with a message from stdin; --json prints the events", async () => {
    const first = await cli.run(["chat", calc, "--message", '/calculator {"expression":"10/4"}']);
    const session = sessionIn(first.stderr);
    expect(session).not.toBe("");
    const piped = await cli.run(["chat", calc, "--session", session], { input: '/calculator {"expression":"3^3"}\n' });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/"value": 27\b/);
    expect(sessionIn(piped.stderr)).toBe(session);

    const json = await cli.run(["chat", calc, "--session", session, "--json", "-m", "/current_time"]);
    expect(json.code, json.stderr).toBe(0);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { seq: number; type: string });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["turn.started", "tool.started", "tool.finished", "text.delta", "turn.completed"]),
    );
    expect(events.at(-1)?.type).toBe("turn.completed");
    // Only this turn's events, in order: the two earlier turns of the session are not replayed.
    expect(events.every((event, i) => i === 0 || event.seq > (events[i - 1]?.seq ?? 0))).toBe(true);
    expect(events.filter((event) => event.type === "turn.started")).toHaveLength(1);
  });

  it("a dangerous tool runs with --approve-all and is refused without a terminal to ask", async () => {
    await allowLocalHttpRequests(cli.session().access_token);
    const created = await cli.run([
      "agents",
      "create",
      "--template",
      "web-automator",
      "--model",
      "offline:assistant",
      "--name",
      web,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const request = `/http_request {"url":"${baseUrl}/health","method":"GET"}`;

    const approved = await cli.run(["chat", web, "--approve-all", "--message", request]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toContain("✔ approved http_request");
    expect(approved.stderr).toMatch(/✔ http_request succeeded in \d+ ms: .*"status":200/);
    expect(approved.stdout).toContain('"status": 200');

    const refused = await cli.run(["chat", web, "--message", request]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toContain("there is no terminal to ask; rejecting (pass --approve-all to allow)");
    expect(refused.stderr).toContain("✖ rejected http_request");
    expect(refused.stdout).toContain("was not run");
  });

  it("Ctrl-C cancels the turn in flight and exits 130", async () => {
    const child = cli.spawn([
      "chat",
      web,
      "--approve-all",
      "--message",
      `/http_request {"url":"${hanging.url}","method":"GET"}`,
    ]);
    const done = collect(child);
    await waitForStderr(child, /⚙ http_request/);
    child.kill("SIGINT");
    const result = await done;
    expect(result.stderr).toContain("cancelling the turn");
    expect(result.stderr).toContain("turn cancelled");
    expect(result.code).toBe(130);
  });

  it("agents rm deletes by name; unknown agents and conflicting flags are clear errors", async () => {
    const missing = await cli.run(["chat", `no such agent ${suffix}`, "-m", "hi"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: no agent with the id or name "no such agent ${suffix}" (agent_not_found)`);
    const both = await cli.run(["chat", calc, "--approve-all", "--reject-all", "-m", "hi"]);
    expect(both.stderr).toContain("choose --approve-all or --reject-all, not both (usage)");
    const blank = await cli.run(["agents", "create"]);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain("(usage)");

    for (const name of [calc, web]) {
      const removed = await cli.run(["agents", "rm", name]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`Deleted agent "${name}"`);
    }
    expect((await cli.run(["agents", "ls"])).stdout).not.toContain(suffix);
  });
});
