/**
 * The SSRF guard as users meet it: http_fetch and http_request through the tools
 * API refuse loopback, private, link-local and metadata addresses, non-http(s)
 * schemes, names that resolve privately (fake DNS over HTTPS) and redirects that
 * lead there; an allowlisted local host works. Each refusal is a recorded failure.
 */
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/worker/support/api";
import { fakeWebHost, setConfig } from "../../../test/worker/support/config";
import { rows } from "../../../test/worker/support/db";
import { as, install, outcomeOf } from "../../../test/worker/support/tools";

let user: TestUser;
// Generous time: these tests are about addresses and sizes, and a loaded machine is slow to answer.
const policy = { max_response_bytes: 100_000, timeout_ms: 15_000 };

beforeAll(async () => {
  user = await createUser();
  await install(as(user), { name: "web" });
});

beforeEach(() => setConfig("outbound", { ...policy, allow_private_hosts: [] }));

describe.each(["http_fetch", "http_request"])("%s refuses", (tool) => {
  const confirm = tool === "http_request" ? { confirm: true } : {};
  const input = (url: string) => (tool === "http_request" ? { url, method: "POST", body: "x" } : { url });

  it.each([
    ["http://127.0.0.1/", "loopback"],
    ["http://127.0.0.1:8787/api/v1/me", "loopback"],
    ["http://10.0.0.7/admin", "private"],
    ["http://10.255.255.1:6379/", "private"],
    ["http://169.254.169.254/latest/meta-data/iam/", "linkLocal"],
    ["http://[::1]/", "loopback"],
    ["file:///etc/passwd", "scheme file:"],
    ["gopher://example.com/", "scheme gopher:"],
    ["http://localhost/", "private name"],
    ["http://rebind.test/", "127.0.0.1 is a loopback"],
    ["http://db.private.test/", "10.0.0.5 is a private"],
    ["http://metadata.test/latest/meta-data/", "169.254.169.254 is a linkLocal"],
  ])("%s (%s)", async (url, reason) => {
    const outcome = await outcomeOf(as(user), tool, input(url), confirm);
    expect(outcome).toMatchObject({ status: "failed", error: { code: "outbound_blocked" } });
    expect(outcome.error?.message).toContain(reason);
    const [row] = await rows<{ status: string; error: string }>(
      "SELECT status, error FROM tool_executions WHERE id = ?",
      outcome.execution_id,
    );
    expect(row?.status).toBe("failed");
    expect(row?.error).toContain("outbound_blocked");
  });
});

describe("the allowlist", () => {
  it("lets a listed host through, and still checks where its redirects lead", async () => {
    const blocked = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/hello` });
    expect(blocked.error?.code).toBe("outbound_blocked");

    await setConfig("outbound", { ...policy, allow_private_hosts: [fakeWebHost()] });
    const allowed = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/hello?again` });
    expect(allowed).toMatchObject({ status: "succeeded", output: { status: 200, body: "hello from the fake web" } });

    const toMetadata = `${env.FAKE_WEB_URL}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/")}`;
    const escaped = await outcomeOf(as(user), "http_fetch", { url: toMetadata });
    expect(escaped).toMatchObject({ status: "failed", error: { code: "outbound_blocked" } });
    expect(escaped.error?.message).toContain("linkLocal");
  });

  it("caps the response size", async () => {
    await setConfig("outbound", { ...policy, max_response_bytes: 2_000, allow_private_hosts: [fakeWebHost()] });
    const outcome = await outcomeOf(as(user), "http_fetch", { url: `${env.FAKE_WEB_URL}/big?bytes=50000` });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "outbound_too_large" } });
  });
});
