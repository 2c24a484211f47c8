/**
 * "Final answer with citations": the sources a turn drew on — snippets from
 * context providers, and URLs found in what its tools returned (a search result's
 * `{title, url}`, a fetched page's `url`).
 */
import type { Citation } from "../../../worker/features/chat-sessions/context-provider";
import type { StoredMessage } from "../message-store";

const MAX_CITATIONS = 20;
const MAX_DEPTH = 6;

type Found = { url: string; title?: string };

function collectUrls(value: unknown, depth: number, into: Found[]): void {
  if (depth > MAX_DEPTH || into.length >= MAX_CITATIONS || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) collectUrls(item, depth + 1, into);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.url === "string" && /^https?:\/\//i.test(record.url)) {
    into.push({ url: record.url, ...(typeof record.title === "string" ? { title: record.title } : {}) });
  }
  for (const [key, child] of Object.entries(record)) if (key !== "url") collectUrls(child, depth + 1, into);
}

/** Citations from the succeeded tool results among `messages`, each URL once. */
export function toolCitations(messages: StoredMessage[]): Citation[] {
  const citations: Citation[] = [];
  const seen = new Set<string>();
  for (const message of messages) {
    for (const result of message.toolResults) {
      if (result.status !== "succeeded" && result.status !== "cached") continue;
      const found: Found[] = [];
      collectUrls(result.output, 0, found);
      for (const { url, title } of found) {
        if (seen.has(url) || citations.length >= MAX_CITATIONS) continue;
        seen.add(url);
        citations.push({ source: "tool", title: title ?? url, url, tool: result.name, call_id: result.call_id });
      }
    }
  }
  return citations;
}
