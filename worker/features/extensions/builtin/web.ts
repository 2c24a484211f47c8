/**
 * `web`: tools that reach the public internet through the outbound guard. Installed
 * per user; `search_api_key` (Brave, Tavily) is a secret stored encrypted.
 */
import { z } from "zod";
import { httpFetch, httpRequest } from "../../tools/builtins/http";
import { webSearch } from "../../tools/builtins/web-search";
import { defineExtension } from "../manifest";

export const webExtension = defineExtension({
  name: "web",
  version: "1.0.0",
  publisher: "edgewise",
  description: "Fetch pages, call HTTP APIs (with approval) and search the web.",
  tools: [httpFetch, httpRequest, webSearch],
  schema: z.strictObject({
    search_api_key: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe("Your key for the search API the platform uses (Brave or Tavily); SearXNG needs none"),
  }),
  secretFields: ["search_api_key"],
  defaultEnabled: false,
});
