/**
 * The built-in tools through POST /api/v1/tools/{name}/execute: calculator (mathjs,
 * restricted), current_time (IANA zones), http_fetch and http_request against the
 * local fake web.
 */
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";
import { allowLocalServers, as, install, outcomeOf, runTool } from "../../../test/worker/support/tools";

let user: TestUser;

beforeAll(async () => {
  user = await createUser();
  await install(as(user), { name: "web" });
});

describe("calculator", () => {
  it.each([
    ["2 * (3 + 4) ^ 2", "98", 98],
    ["sqrt(16) + sin(pi / 2)", "5", 5],
    ["1 / 3", "0.33333333333333", 1 / 3],
  ])("evaluates %s", async (expression, result, value) => {
    const outcome = await outcomeOf(as(user), "calculator", { expression });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.output).toMatchObject({ expression, result });
    expect(outcome.output?.value).toBeCloseTo(value);
  });

  it("runs several expressions with variables, and writes large numbers out", async () => {
    const several = await outcomeOf(as(user), "calculator", { expression: "r = 2\npi * r^2" });
    expect(several.output).toEqual({
      expression: "r = 2\npi * r^2",
      result: "2; 12.566370614359",
      value: 12.566370614359172,
    });
    const hidden = await outcomeOf(as(user), "calculator", { expression: "r = 2; pi * r^2" });
    expect(hidden.output).toMatchObject({ result: "12.566370614359" });
    const big = await outcomeOf(as(user), "calculator", { expression: "factorial(10)" });
    expect(big.output).toMatchObject({ result: "3628800", value: 3628800 });
  });

  it.each([
    "import({x: 1})",
    'evaluate("1+1")',
    'parse("1+1")',
    'createUnit("foo")',
    'compile("1")',
    'simplify("x + x")',
    "1:100000000",
    "[1, 2, 3]",
    "f(x) = x^2",
    "{a: 1}",
    "5 km to m",
    "permutations(1000000000)",
    "combinations(1000000000, 500000000)",
    "random()",
  ])("refuses %s without running JavaScript", async (expression) => {
    const outcome = await outcomeOf(as(user), "calculator", { expression });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("invalid_expression");
  });

  it("refuses expressions over the length cap as invalid input (422)", async () => {
    const res = await runTool(as(user), "calculator", { input: { expression: `${"1+".repeat(300)}1` } });
    const body = await expectError(res, 422, "invalid_input");
    expect(JSON.stringify(body.error.details)).toContain("expression");
  });
});

describe("current_time", () => {
  it("tells the time in a named zone, with its offset", async () => {
    const before = Date.now();
    const outcome = await outcomeOf(as(user), "current_time", { time_zone: "Asia/Kolkata" });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.output).toMatchObject({ time_zone: "Asia/Kolkata", utc_offset: "+05:30" });
    expect(outcome.output?.local).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/);
    expect(Number(outcome.output?.unix_ms)).toBeGreaterThanOrEqual(before);
  });

  it("defaults to UTC, or to the core extension's default_time_zone", async () => {
    const someone = await createUser();
    expect((await outcomeOf(as(someone), "current_time", {})).output).toMatchObject({
      time_zone: "UTC",
      utc_offset: "+00:00",
    });
    const list = await json<{ items: { id: string; name: string }[] }>(await call("/api/v1/extensions", as(someone)));
    const core = list.items.find((extension) => extension.name === "core")!;
    const patched = await call(`/api/v1/extensions/${core.id}`, {
      ...as(someone),
      method: "PATCH",
      body: { config: { default_time_zone: "America/New_York" } },
    });
    expect(patched.status).toBe(200);
    expect((await outcomeOf(as(someone), "current_time", {})).output?.time_zone).toBe("America/New_York");
  });

  it("refuses a zone that is not IANA (422)", async () => {
    const res = await runTool(as(user), "current_time", { input: { time_zone: "Mars/Olympus_Mons" } });
    await expectError(res, 422, "invalid_input");
  });
});

describe("http_fetch and http_request", () => {
  beforeEach(() => allowLocalServers());

  it("fetches a page: status, a few headers, the body", async () => {
    const outcome = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/hello` });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.output).toMatchObject({
      status: 200,
      body: "hello from the fake web",
      truncated: false,
      headers: { "content-type": "text/plain" },
    });
  });

  it("truncates long bodies to max_chars", async () => {
    const outcome = await outcomeOf(as(user), "http_fetch", {
      url: `${env.FAKE_WEB_URL}/big?bytes=50000`,
      max_chars: 1000,
    });
    expect(outcome.output).toMatchObject({ truncated: true });
    expect(String(outcome.output?.body)).toHaveLength(1000);
  });

  it("reports the remote status without failing, and HEAD has no body", async () => {
    const missing = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/status?code=404` });
    expect(missing).toMatchObject({ status: "succeeded", output: { status: 404 } });
    const head = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/hello`, method: "HEAD" });
    expect(head.output).toMatchObject({ status: 200, body: "" });
  });

  it("http_fetch takes only GET and HEAD", async () => {
    const res = await runTool(as(user), "http_fetch", { input: { url: `${env.FAKE_WEB_URL}/echo`, method: "POST" } });
    await expectError(res, 422, "invalid_input");
  });

  it("http_request is dangerous: 409 approval_required without confirm, runs with it", async () => {
    const input = {
      url: `${env.FAKE_WEB_URL}/echo`,
      method: "POST",
      body: "a=1",
      headers: { "content-type": "text/plain" },
    };
    const refused = await expectError(await runTool(as(user), "http_request", { input }), 409, "approval_required");
    expect(refused.error.details).toEqual({ tool: "http_request" });
    const outcome = await outcomeOf(as(user), "http_request", input, { confirm: true });
    expect(outcome.status).toBe("succeeded");
    expect(JSON.parse(String(outcome.output?.body))).toEqual({
      method: "POST",
      body: "a=1",
      content_type: "text/plain",
    });
  });
});
