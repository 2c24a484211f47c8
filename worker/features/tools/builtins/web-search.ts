/**
 * `web_search`: asks the configured search API (system setting `web_search`:
 * kind, endpoint, result cap) through the outbound guard, with the user's own API
 * key from the `web` extension's secret `search_api_key`, and returns normalized
 * results `[{title, url, snippet}]`.
 */
import { z } from "zod";
import { getConfig } from "../../config/service";
import { guardedFetch } from "../../outbound/guarded-fetch";
import { defineTool, ToolError } from "../define-tool";
import { SEARCH_PROVIDERS } from "./search-providers";

export const webSearch = defineTool({
  name: "web_search",
  description: "Searches the web and returns the top results (title, URL, snippet). Cite the URLs you use.",
  input: z.object({
    query: z.string().trim().min(1).max(400),
    max_results: z.number().int().min(1).max(50).optional().describe("Defaults to the platform's setting"),
  }),
  output: z.object({
    query: z.string(),
    provider: z.string(),
    results: z.array(z.object({ title: z.string(), url: z.string(), snippet: z.string() })),
  }),
  timeoutMs: 15_000,
  cacheTtlSeconds: 300,
  async run({ query, max_results }, ctx) {
    const setting = await getConfig(ctx.env, "web_search");
    const provider = SEARCH_PROVIDERS[setting.kind];
    const apiKey = typeof ctx.config.search_api_key === "string" ? ctx.config.search_api_key : undefined;
    if (provider.needsKey && !apiKey)
      throw new ToolError(
        "not_configured",
        `The ${setting.kind} search API needs a key: set search_api_key in your web extension`,
      );
    const count = Math.min(max_results ?? setting.max_results, setting.max_results);
    const [url, init] = provider.request({ endpoint: setting.endpoint, query, count, apiKey });
    const res = await guardedFetch(ctx.env, url, { ...init, signal: ctx.signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw new ToolError("search_failed", `The ${setting.kind} search API answered ${res.status}`);
    }
    let results: ReturnType<typeof provider.read>;
    try {
      results = provider.read(await res.json());
    } catch {
      throw new ToolError("search_failed", `The ${setting.kind} search API sent an answer we could not read`);
    }
    return { query, provider: setting.kind, results: results.slice(0, count) };
  },
});
