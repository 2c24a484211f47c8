/**
 * web_search against local fake search APIs of all three shapes (SearXNG, Brave,
 * Tavily), with the user's key from the web extension's secret configuration; the
 * results come back normalized, and the key appears nowhere in D1 readable.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { FAKE_SEARCH_KEYS } from "../../../test/worker/fake-credentials";
import { call, createUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { snapshot } from "../../../test/worker/support/db";
import { allowLocalServers, as, install, outcomeOf } from "../../../test/worker/support/tools";

type Kind = "searxng" | "brave" | "tavily";
const ENDPOINTS: Record<Kind, string> = {
  searxng: "/searxng/search",
  brave: "/brave/res/v1/web/search",
  tavily: "/tavily/search",
};

const useProvider = (kind: Kind, maxResults = 5) =>
  setConfig("web_search", { kind, endpoint: `${env.FAKE_WEB_URL}${ENDPOINTS[kind]}`, max_results: maxResults });

beforeEach(() => allowLocalServers());

describe("web_search", () => {
  it("searches a SearXNG instance (no key needed)", async () => {
    await useProvider("searxng");
    const user = await createUser();
    await install(as(user), { name: "web" });
    const outcome = await outcomeOf(as(user), "web_search", { query: "edge computing" });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.output).toMatchObject({ query: "edge computing", provider: "searxng" });
    expect(outcome.output?.results).toEqual(
      [1, 2, 3].map((n) => ({
        title: `edge computing — result ${n}`,
        url: `https://example.org/edge%20computing/${n}`,
        snippet: `Snippet ${n} about edge computing`,
      })),
    );
  });

  it.each(["brave", "tavily"] as const)("searches %s with the user's own key, kept secret", async (kind) => {
    await useProvider(kind, 4);
    const user = await createUser();
    const web = await install(as(user), { name: "web" });
    const missing = await outcomeOf(as(user), "web_search", { query: `${kind} without key` });
    expect(missing).toMatchObject({ status: "failed", error: { code: "not_configured" } });

    const patched = await call(`/api/v1/extensions/${web.id}`, {
      ...as(user),
      method: "PATCH",
      body: { config: { search_api_key: FAKE_SEARCH_KEYS[kind] } },
    });
    expect(patched.status).toBe(200);
    const outcome = await outcomeOf(as(user), "web_search", { query: `workers ${kind}`, max_results: 2 });
    expect(outcome).toMatchObject({ status: "succeeded", output: { provider: kind } });
    expect(outcome.output?.results).toEqual([
      { title: `workers ${kind} — result 1`, url: expect.any(String), snippet: `Snippet 1 about workers ${kind}` },
      { title: `workers ${kind} — result 2`, url: expect.any(String), snippet: `Snippet 2 about workers ${kind}` },
    ]);
    expect(JSON.stringify(await snapshot())).not.toContain(FAKE_SEARCH_KEYS[kind]);
  });

  it("reports a refused key as a failed search, and caps results at the platform setting", async () => {
    await useProvider("brave", 3);
    const user = await createUser();
    await install(as(user), { name: "web", config: { search_api_key: "wrong-key" } });
    const refused = await outcomeOf(as(user), "web_search", { query: "anything" });
    expect(refused).toMatchObject({ status: "failed", error: { code: "search_failed" } });
    expect(refused.error?.message).toContain("401");

    await useProvider("tavily", 3);
    const other = await createUser();
    await install(as(other), { name: "web", config: { search_api_key: FAKE_SEARCH_KEYS.tavily } });
    const capped = await outcomeOf(as(other), "web_search", { query: "many", max_results: 20 });
    expect(capped.output?.results).toHaveLength(3);
  });

  it("goes through the outbound guard like any user-steered fetch", async () => {
    await setConfig("web_search", { kind: "searxng", endpoint: "http://10.0.0.9/search", max_results: 5 });
    const user = await createUser();
    await install(as(user), { name: "web" });
    const outcome = await outcomeOf(as(user), "web_search", { query: "internal" });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "outbound_blocked" } });
  });
});
