/**
 * The three web-search API shapes `web_search` speaks, each reduced to
 * `[{title, url, snippet}]`: SearXNG (`GET ?q=&format=json`), Brave
 * (`GET /res/v1/web/search?q=&count=`, key in `X-Subscription-Token`) and Tavily
 * (`POST /search {query, max_results}`, key as a bearer token). The endpoint is the
 * `web_search` system setting; the key is the user's `web` extension secret.
 */
import { z } from "zod";
import type { ConfigValue } from "../../config/registry";

export type SearchResult = { title: string; url: string; snippet: string };
export type SearchProvider = ConfigValue<"web_search">["kind"];

type SearchCall = { endpoint: string; query: string; count: number; apiKey: string | undefined };

const Text = z.string().catch("");
const SearxResponse = z.object({
  results: z.array(z.object({ title: Text, url: z.string(), content: Text })).catch([]),
});
const BraveResponse = z.object({
  web: z
    .object({ results: z.array(z.object({ title: Text, url: z.string(), description: Text })).catch([]) })
    .catch({ results: [] }),
});
const TavilyResponse = z.object({
  results: z.array(z.object({ title: Text, url: z.string(), content: Text })).catch([]),
});

/** How to ask each provider, and how to read its answer. */
export const SEARCH_PROVIDERS: Record<
  SearchProvider,
  { needsKey: boolean; request(call: SearchCall): [string, RequestInit]; read(body: unknown): SearchResult[] }
> = {
  searxng: {
    needsKey: false,
    request({ endpoint, query, apiKey }) {
      const url = new URL(endpoint);
      url.searchParams.set("q", query);
      url.searchParams.set("format", "json");
      const headers: Record<string, string> = { accept: "application/json" };
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      return [url.toString(), { headers }];
    },
    read: (body) => SearxResponse.parse(body).results.map((r) => ({ title: r.title, url: r.url, snippet: r.content })),
  },
  brave: {
    needsKey: true,
    request({ endpoint, query, count, apiKey }) {
      const url = new URL(endpoint);
      url.searchParams.set("q", query);
      url.searchParams.set("count", String(count));
      return [url.toString(), { headers: { accept: "application/json", "x-subscription-token": apiKey ?? "" } }];
    },
    read: (body) =>
      BraveResponse.parse(body).web.results.map((r) => ({ title: r.title, url: r.url, snippet: r.description })),
  },
  tavily: {
    needsKey: true,
    request({ endpoint, query, count, apiKey }) {
      return [
        endpoint,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${apiKey ?? ""}` },
          body: JSON.stringify({ query, max_results: count }),
        },
      ];
    },
    read: (body) => TavilyResponse.parse(body).results.map((r) => ({ title: r.title, url: r.url, snippet: r.content })),
  },
};
