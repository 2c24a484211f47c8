/**
 * "Build context": the system prompt, retrieved snippets (the memory hook), a
 * window of the latest messages that fits the context budget, and — when the
 * conversation has outgrown the budget — a model-written summary of the older
 * turns, kept in the session and extended as the conversation grows.
 */
import { generateText, type ModelMessage } from "ai";
import type { Citation, ContextSnippet } from "../../../worker/features/chat-sessions/context-provider";
import { withModelFallback } from "../../../worker/features/chat-sessions/deps";
import type { StoredMessage } from "../message-store";
import { charsOf, clip, toModelMessages, trimLeading } from "./history";
import type { TurnRun } from "./host";
import { enforceBudgets, estimateTokens, priceOf, recordUsage } from "./spend";

export type Retrieved = ContextSnippet & { provider: string };
export type BuiltContext = { system: string; messages: ModelMessage[]; promptChars: number };

const SNIPPETS_PER_PROVIDER = 5;
const RETRIEVAL_TIMEOUT_MS = 2_000;
const SUMMARY_OUTPUT_TOKENS = 512;
const SUMMARY_LINE_CHARS = 2_000;

/** Asks every context provider, each bounded in time; one that fails or is slow adds nothing. */
export async function retrieve(run: TurnRun, text: string): Promise<Retrieved[]> {
  const query = {
    userId: run.host.ref.userId,
    agentId: run.host.ref.agentId,
    sessionId: run.host.ref.sessionId,
    text,
    agentConfig: run.settings.config,
    limit: SNIPPETS_PER_PROVIDER,
  };
  const results = await Promise.all(
    run.deps.context.map(async (provider) => {
      const signal = AbortSignal.any([run.signal, AbortSignal.timeout(RETRIEVAL_TIMEOUT_MS)]);
      try {
        const snippets = await Promise.race([
          provider.retrieve(run.host.env, query, signal),
          new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
        ]);
        return snippets.slice(0, SNIPPETS_PER_PROVIDER).map((s) => ({ ...s, provider: provider.name }));
      } catch (error) {
        console.warn(JSON.stringify({ msg: "context provider failed", provider: provider.name, error: String(error) }));
        return [];
      }
    }),
  );
  return results.flat();
}

export function contextCitations(snippets: Retrieved[]): Citation[] {
  return snippets.map((s) => ({
    source: "context",
    title: s.citation.title,
    url: s.citation.url,
    provider: s.provider,
  }));
}

function systemPrompt(run: TurnRun, snippets: Retrieved[], summary: string | null): string {
  const parts = [run.settings.systemPrompt.trim()];
  if (summary) parts.push(`Summary of the earlier conversation:\n${summary}`);
  if (snippets.length) {
    const lines = snippets.map(
      (s, i) => `[${i + 1}] ${s.text}\n(source: ${s.citation.title}${s.citation.url ? `, ${s.citation.url}` : ""})`,
    );
    parts.push(`Context that may help; cite it as [n] when you use it:\n${lines.join("\n")}`);
  }
  return parts.filter(Boolean).join("\n\n");
}

/** The newest older messages that fit in `room` characters (each clipped to `maxChars`). */
function fitWindow(older: StoredMessage[], room: number, maxChars: number): StoredMessage[] {
  const kept: StoredMessage[] = [];
  let used = 0;
  for (const message of [...older].reverse()) {
    const size = charsOf(toModelMessages([message], maxChars));
    if (used + size > room) break;
    kept.unshift(message);
    used += size;
  }
  return trimLeading(kept);
}

export async function buildContext(run: TurnRun, snippets: Retrieved[], toolChars: number): Promise<BuiltContext> {
  const { messages } = run.host;
  const budgetChars = run.settings.contextBudgetTokens * 4;
  const maxChars = Math.max(1_000, Math.floor(budgetChars / 2));
  const userSeq = run.checkpoint.userSeq;
  const current = toModelMessages(messages.range(userSeq - 1), maxChars);
  const fixed = systemPrompt(run, snippets, null).length + charsOf(current) + toolChars;
  const older = fitWindow(
    trimLeading(messages.recent(run.settings.historyWindow, userSeq - 1)),
    budgetChars - fixed,
    maxChars,
  );
  const cutSeq = older[0]?.seq ?? userSeq;
  const summary = await summaryBefore(run, cutSeq, budgetChars);
  const system = systemPrompt(run, snippets, summary);
  const history = [...toModelMessages(older, maxChars), ...current];
  return { system, messages: history, promptChars: system.length + charsOf(history) + toolChars };
}

/** The summary covering messages before `cutSeq`, written now if the history has outgrown the budget. */
async function summaryBefore(run: TurnRun, cutSeq: number, budgetChars: number): Promise<string | null> {
  const { messages, store } = run.host;
  const total = messages.sizeAfter(0);
  const kept = messages.sizeAfter(cutSeq - 1);
  const existing = store.latestSummary(cutSeq);
  const overBudget = estimateTokens(total.bytes) > run.settings.contextBudgetTokens;
  if (total.count === kept.count || !overBudget || (existing?.uptoSeq ?? 0) >= cutSeq - 1) {
    return existing?.content ?? null;
  }
  const transcript = messages
    .range(existing?.uptoSeq ?? 0, cutSeq - 1)
    .map(
      (m) =>
        `${m.role}: ${clip(m.content || JSON.stringify(m.toolCalls.length ? m.toolCalls : m.toolResults), SUMMARY_LINE_CHARS)}`,
    )
    .join("\n");
  const prompt = clip(
    `${existing ? `Summary so far:\n${existing.content}\n\n` : ""}Conversation to add:\n${transcript}`,
    Math.floor(budgetChars / 2),
  );
  const instructions =
    "Summarise this conversation for your own later use: facts, decisions, names, numbers and open questions. At most 300 words.";
  await enforceBudgets(run, prompt.length + instructions.length, SUMMARY_OUTPUT_TOKENS);
  const result = await withModelFallback(run.models, async (model) => {
    const generated = await generateText({
      model: model.model,
      instructions,
      prompt,
      maxOutputTokens: SUMMARY_OUTPUT_TOKENS,
      abortSignal: run.signal,
    });
    return { generated, model };
  });
  const inputTokens = result.generated.usage.inputTokens ?? estimateTokens(prompt.length);
  const outputTokens = result.generated.usage.outputTokens ?? estimateTokens(result.generated.text.length);
  recordUsage(run, {
    inputTokens,
    outputTokens,
    costMicros: priceOf(result.model.price, inputTokens, outputTokens),
  });
  store.saveSummary(cutSeq - 1, result.generated.text);
  run.host.emit(run.id, "context.summarized", { upto_seq: cutSeq - 1, model: result.model.spec });
  return result.generated.text;
}
