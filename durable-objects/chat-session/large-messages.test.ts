/**
 * Conversations past the 2 MB row cap (cloudflare/agents#546): several ~1 MB
 * messages and one 2.5 MB answer are stored, listed and read back byte for byte,
 * no SQLite row of the session comes near the cap, and the next turn still works
 * (older turns are summarised to fit the context budget).
 */
import { runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../test/worker/support/api";
import {
  createAgent,
  createSession,
  follow,
  openStream,
  promptOf,
  scriptedModel,
  sendMessage,
  sessionObject,
} from "../../test/worker/support/chat";
import { setModelOverride } from "../../worker/features/chat-sessions/deps";
import { splitText } from "./message-store";

const ROW_CAP = 2_000_000;

/** ~`units` UTF-16 units of text with multi-byte characters throughout (emoji straddle every chunk edge). */
function bigText(seed: string, units: number): string {
  const block = `${seed} 日本語 — ünïcödé 🚀🧪 `;
  let text = "";
  while (text.length < units) text += `${block}${text.length} `;
  let cut = text.slice(0, units - 2);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}🎯`;
}

let user: TestUser;
let sessionId: string;
const answer = bigText("answer", 1_750_000);
const userTexts = [bigText("first", 640_000), bigText("second", 640_000), bigText("third", 640_000)];
const model = scriptedModel([
  { text: ["Read the first."] },
  { text: splitText(answer, 100_000) },
  { text: ["Read the third."] },
  { text: ["Still here."] },
]);

beforeAll(async () => {
  user = await createUser();
  setModelOverride("mock", () => model);
  sessionId = await createSession(user, await createAgent(user));
});
afterAll(() => setModelOverride("mock", null));

type Message = { seq: number; role: string; content: string };

async function allMessages(): Promise<Message[]> {
  const items: Message[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const res = await call(`/api/v1/sessions/${sessionId}/messages?limit=100${query}`, { token: user.accessToken });
    expect(res.status).toBe(200);
    const page: { items: Message[]; next_cursor: string | null } = await json(res);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

it("stores, lists and reassembles a conversation of several MB byte for byte", async () => {
  for (const text of userTexts) {
    expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(900_000);
    const accepted = await sendMessage(user, sessionId, text);
    const events = await follow(user, sessionId, accepted.stream_after);
    expect(events.at(-1)?.type).toBe("turn.completed");
  }
  expect(new TextEncoder().encode(answer).byteLength).toBeGreaterThan(2_500_000);

  const messages = await allMessages();
  expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
  expect(messages[0]!.content).toBe(userTexts[0]);
  expect(messages[2]!.content).toBe(userTexts[1]);
  expect(messages[3]!.content === answer).toBe(true);
  expect(messages[4]!.content).toBe(userTexts[2]);
  const total = messages.reduce((sum, m) => sum + new TextEncoder().encode(m.content).byteLength, 0);
  expect(total).toBeGreaterThan(5_000_000);
}, 60_000);

async function sessionEvents(turns: number) {
  const reader = await openStream(user, sessionId, 0);
  try {
    return await reader.until(
      (e, all) => e.type === "turn.completed" && all.filter((x) => x.type === "turn.completed").length === turns,
    );
  } finally {
    await reader.close();
  }
}

it("streamed the 2.5 MB answer in deltas that add up to it exactly", async () => {
  const events = await sessionEvents(3);
  const second = events.filter((e) => e.type === "turn.completed")[1]!;
  const deltas = events
    .filter((e) => e.type === "text.delta" && e.turn_id === second.turn_id)
    .map((e) => (e.data as { text: string }).text);
  expect(deltas.length).toBeGreaterThan(10);
  expect(deltas.join("") === answer).toBe(true);
  const message = events.filter((e) => e.type === "message" && e.turn_id === second.turn_id).at(-1);
  expect(message?.data).toMatchObject({ truncated: true, message: { role: "assistant", seq: 4 } });
});

it("keeps every SQLite row of the session far below the 2 MB cap", async () => {
  const largest = await runInDurableObject(sessionObject(sessionId), (_instance, state) => {
    const sql = state.storage.sql;
    const max = (query: string) => sql.exec<{ bytes: number | null }>(query).one().bytes ?? 0;
    return {
      messages: max(
        `SELECT MAX(COALESCE(length(CAST(content AS BLOB)), 0) + COALESCE(length(CAST(tool_calls AS BLOB)), 0) +
           COALESCE(length(CAST(tool_results AS BLOB)), 0) + COALESCE(length(CAST(attachments AS BLOB)), 0) +
           COALESCE(length(CAST(metadata AS BLOB)), 0)) AS bytes FROM messages`,
      ),
      parts: max("SELECT MAX(length(CAST(data AS BLOB))) AS bytes FROM message_parts"),
      events: max("SELECT MAX(length(CAST(data AS BLOB))) AS bytes FROM stream_events"),
      turns: max("SELECT MAX(length(CAST(checkpoint AS BLOB))) AS bytes FROM turns"),
      partRows: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM message_parts").one().n,
    };
  });
  expect(largest.partRows).toBeGreaterThan(5);
  for (const bytes of [largest.messages, largest.parts, largest.events, largest.turns]) {
    expect(bytes).toBeLessThan(ROW_CAP / 3);
  }
});

it("answers the next turn, with the older turns summarised into the budget", async () => {
  const accepted = await sendMessage(user, sessionId, "Are you still there?");
  const events = await follow(user, sessionId, accepted.stream_after);
  expect(events.at(-1)?.type).toBe("turn.completed");
  expect((await sessionEvents(4)).some((e) => e.type === "context.summarized")).toBe(true);
  expect(model.doGenerateCalls.length).toBeGreaterThan(0);
  const prompt = promptOf(model, model.doStreamCalls.length - 1);
  expect(prompt).toContain("Summary of the earlier conversation");
  expect(prompt).toContain("Are you still there?");
  expect(prompt.length).toBeLessThan(16_000 * 4 * 2);
  const messages = await allMessages();
  expect(messages.at(-1)).toMatchObject({ role: "assistant", content: "Still here." });
});
