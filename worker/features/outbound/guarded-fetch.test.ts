import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeWebHost, setConfig } from "../../../test/worker/support/config";
import { guardedFetch, OutboundError } from "./guarded-fetch";

const base = { max_response_bytes: 10_000, timeout_ms: 2_000 };

async function refusal(url: string, init?: RequestInit): Promise<OutboundError> {
  const error = await guardedFetch(env, url, init).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

describe("the outbound guard", () => {
  beforeEach(() => setConfig("outbound", { ...base, allow_private_hosts: [] }));

  it.each([
    ["http://127.0.0.1/", "loopback"],
    ["http://10.1.2.3/", "private"],
    ["http://192.168.0.10/", "private"],
    ["http://169.254.169.254/latest/meta-data/", "linkLocal"],
    ["http://100.64.0.1/", "carrierGradeNat"],
    ["http://[::1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "ipv4Mapped"],
    ["http://[fd00::1]/", "uniqueLocal"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://2130706433/", "loopback"], // 127.0.0.1 written as one decimal number
    ["http://0x7f.1/", "loopback"],
  ])("refuses %s (%s)", async (url, range) => {
    const error = await refusal(url);
    expect(error.code).toBe("outbound_blocked");
    expect(error.message).toContain(range);
  });

  it.each([
    ["file:///etc/passwd", "scheme file:"],
    ["ftp://example.com/", "scheme ftp:"],
    ["http://user:pw@example.com/", "credentials"],
    ["http://localhost:8080/", "private name"],
    ["http://metadata.google.internal/", "private name"],
  ])("refuses %s", async (url, reason) => {
    const error = await refusal(url);
    expect(error.code).toBe("outbound_blocked");
    expect(error.message).toContain(reason);
  });

  it.each([
    ["http://db.private.test/", "10.0.0.5 is a private"],
    ["http://rebind.test/", "127.0.0.1 is a loopback"],
    ["http://metadata.test/", "169.254.169.254 is a linkLocal"],
    ["http://nowhere.test/", "does not resolve"],
  ])("refuses a name that resolves privately: %s", async (url, reason) => {
    const error = await refusal(url);
    expect(error.message).toContain(reason);
  });

  it("fetches an allowlisted local host, and checks every redirect hop", async () => {
    await setConfig("outbound", { ...base, allow_private_hosts: [fakeWebHost()] });
    const ok = await guardedFetch(env, `${env.FAKE_WEB_URL}/hello`);
    expect(await ok.text()).toBe("hello from the fake web");

    const hop = await guardedFetch(env, `${env.FAKE_WEB_URL}/redirect?to=${encodeURIComponent("/json")}`);
    expect(await hop.json()).toEqual({ ok: true, method: "GET" });

    const escapeHop = `${env.FAKE_WEB_URL}/redirect?to=${encodeURIComponent("http://169.254.169.254/")}`;
    expect((await refusal(escapeHop)).message).toContain("linkLocal");
  });

  it("caps the response size and the time", async () => {
    await setConfig("outbound", { ...base, timeout_ms: 300, allow_private_hosts: [fakeWebHost()] });
    expect((await refusal(`${env.FAKE_WEB_URL}/big?bytes=20000`)).code).toBe("outbound_too_large");
    expect((await refusal(`${env.FAKE_WEB_URL}/slow?ms=2000`)).code).toBe("outbound_timeout");
    const small = await guardedFetch(env, `${env.FAKE_WEB_URL}/big?bytes=5000`);
    expect((await small.arrayBuffer()).byteLength).toBe(5000);
  });

  it("sends credential headers on a same-origin redirect and drops them on a cross-origin one", async () => {
    const other = new URL(env.FAKE_WEB_OTHER_URL).host;
    await setConfig("outbound", { ...base, allow_private_hosts: [fakeWebHost(), other] });
    const headers = {
      authorization: "Bearer sk-secret",
      "proxy-authorization": "Basic c2VjcmV0",
      cookie: "session=secret",
      "x-api-key": "provider-key",
      "api-key": "azure-key",
      "x-goog-api-key": "google-key",
      "x-trace": "kept",
    };
    const secrets = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-goog-api-key"];
    const via = (to: string) => `${env.FAKE_WEB_URL}/redirect?to=${encodeURIComponent(to)}`;

    const same = await (await guardedFetch(env, via("/headers"), { headers })).json<Record<string, string>>();
    expect(same).toMatchObject(headers);

    const cross = await (await guardedFetch(env, via(`${env.FAKE_WEB_OTHER_URL}/headers`), { headers })).json<
      Record<string, string>
    >();
    expect(cross["x-trace"]).toBe("kept");
    for (const name of secrets) expect(cross).not.toHaveProperty(name);

    // Once dropped they stay dropped, even when a later hop comes back to the first origin.
    const back = `${env.FAKE_WEB_OTHER_URL}/redirect?to=${encodeURIComponent(`${env.FAKE_WEB_URL}/headers`)}`;
    const returned = await (await guardedFetch(env, via(back), { headers })).json<Record<string, string>>();
    for (const name of secrets) expect(returned).not.toHaveProperty(name);
  });
});
