/**
 * GET /api/v1/messages/search over rows written the way each ChatSession Durable
 * Object writes them (plain SQL into message_search): all-words matching with
 * stemming, bm25 ranking, escaped and highlighted snippets, filters, FTS5 syntax
 * taken as plain text, and one user never seeing another's messages.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { ftsQuery } from "./fts-query";

type Hit = {
  message_id: string;
  session_id: string;
  session_title: string;
  agent_id: string;
  role: string;
  created_at: string;
  snippet: string;
  score: number;
};

let alice: TestUser;
let bob: TestUser;
const sessions = { travel: crypto.randomUUID(), cooking: crypto.randomUUID(), gone: crypto.randomUUID() };
let agents: { planner: string; chef: string };
const T0 = Date.parse("2026-03-01T10:00:00Z");

async function agent(user: TestUser, name: string) {
  const res = await call("/api/v1/agents", { token: user.accessToken, body: { name } });
  return (await json<{ id: string }>(res)).id;
}

/** What the ChatSession DO does when a message persists. */
async function index(user: TestUser, sessionId: string, messageId: string, role: string, content: string, at = T0) {
  await run(
    "INSERT INTO message_search (content, user_id, session_id, message_id, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    content,
    user.id,
    sessionId,
    messageId,
    role,
    at,
  );
}

beforeAll(async () => {
  alice = await createUser();
  bob = await createUser();
  agents = { planner: await agent(alice, "Planner"), chef: await agent(alice, "Chef") };
  const session = (id: string, agentId: string, title: string) =>
    run("INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, ?)", id, alice.id, agentId, title);
  await session(sessions.travel, agents.planner, "Trip to Lisbon");
  await session(sessions.cooking, agents.chef, "Dinner ideas");
  await session(sessions.gone, agents.chef, "Deleted later");

  await index(alice, sessions.travel, "t1", "user", "Find trains from Porto to Lisbon on Friday", T0);
  await index(
    alice,
    sessions.travel,
    "t2",
    "assistant",
    "Trains leave Porto hourly; the Friday train at 9:00 reaches Lisbon by noon.",
    T0 + 1000,
  );
  await index(alice, sessions.travel, "t3", "user", "<b>Bold</b> & <script>alert('x')</script> lisbon tips", T0 + 2000);
  await index(
    alice,
    sessions.cooking,
    "c1",
    "user",
    "A recipe with cod, as they cook it in Lisbon, Lisbon style",
    T0 + 3000,
  );
  await index(
    alice,
    sessions.cooking,
    "c2",
    "assistant",
    `${"filler words about many other things ".repeat(30)} lisbon`,
    T0 + 4000,
  );
  await index(
    alice,
    sessions.cooking,
    "c3",
    "user",
    "He was running late; she runs daily. OR AND NOT NEAR content:x",
    T0 + 5000,
  );
  await index(alice, sessions.gone, "g1", "user", "lisbon in a session whose index row is gone");
  await run("DELETE FROM chat_sessions WHERE id = ?", sessions.gone);
  // Bob's own session mentions Lisbon too.
  const bobAgent = await agent(bob, "Bob's");
  const bobSession = crypto.randomUUID();
  await run(
    "INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, 'Bob trip')",
    bobSession,
    bob.id,
    bobAgent,
  );
  await index(bob, bobSession, "b1", "user", "Lisbon Lisbon Lisbon for Bob");
});

const search = async (query: string, user = alice) => {
  const res = await call(`/api/v1/messages/search?${query}`, { token: user.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json<{ items: Hit[] }>(res)).items;
};
const ids = (hits: Hit[]) => hits.map((hit) => hit.message_id);

describe("GET /messages/search", () => {
  it("finds messages holding every word, best match first, with session details", async () => {
    const hits = await search("q=lisbon");
    expect(ids(hits).sort()).toEqual(["c1", "c2", "t1", "t2", "t3"]);
    // Twice in a short message beats once in a long one.
    expect(ids(hits)[0]).toBe("c1");
    expect(ids(hits).at(-1)).toBe("c2");
    const scores = hits.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(hits.find((hit) => hit.message_id === "t2")).toEqual({
      message_id: "t2",
      session_id: sessions.travel,
      session_title: "Trip to Lisbon",
      agent_id: agents.planner,
      role: "assistant",
      created_at: new Date(T0 + 1000).toISOString(),
      snippet: expect.stringContaining("<mark>Lisbon</mark>"),
      score: expect.any(Number),
    });
    expect(ids(await search("q=friday trains lisbon")).sort()).toEqual(["t1", "t2"]);
    expect(ids(await search("q=lisbon%20madrid"))).toEqual([]);
  });

  it("matches word forms (porter stemming) and highlights each match", async () => {
    const [hit, ...rest] = await search("q=run");
    expect(rest).toEqual([]);
    expect(hit?.message_id).toBe("c3");
    expect(hit?.snippet).toContain("<mark>running</mark>");
    expect(hit?.snippet).toContain("<mark>runs</mark>");
  });

  it("escapes the message's HTML, so <mark> is the only markup in a snippet", async () => {
    const [hit] = await search(`q=tips`);
    expect(hit?.snippet).toBe(
      "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; lisbon <mark>tips</mark>",
    );
  });

  it("cuts long messages to a snippet around the match", async () => {
    const hit = (await search("q=lisbon")).find((item) => item.message_id === "c2")!;
    expect(hit.snippet.startsWith("…")).toBe(true);
    expect(hit.snippet).toContain("<mark>lisbon</mark>");
    expect(hit.snippet.length).toBeLessThan(300);
  });

  it("narrows by session or agent, and honours limit", async () => {
    expect(ids(await search(`q=lisbon&session_id=${sessions.travel}`)).sort()).toEqual(["t1", "t2", "t3"]);
    expect(ids(await search(`q=lisbon&agent_id=${agents.chef}`)).sort()).toEqual(["c1", "c2"]);
    expect(await search(`q=lisbon&agent_id=${agents.chef}&session_id=${sessions.travel}`)).toEqual([]);
    expect(ids(await search("q=lisbon&limit=2"))).toEqual(["c1", expect.any(String)]);
  });

  it("leaves out messages of sessions that no longer exist", async () => {
    expect(ids(await search("q=whose"))).toEqual([]);
  });

  it("takes FTS5 syntax as plain words: never an error, never a changed query", async () => {
    for (const q of [
      '"',
      '"unterminated',
      "NEAR(",
      "lisbon OR",
      "AND",
      "*",
      "lisbon*",
      "^lisbon",
      "content:lisbon",
      "(lisbon",
      "-lisbon",
      "lisbon NOT porto",
      "'; DROP TABLE message_search; --",
      "💥",
      "\u0000",
    ]) {
      const res = await call(`/api/v1/messages/search?q=${encodeURIComponent(q)}`, { token: alice.accessToken });
      expect(res.status, q).toBe(200);
    }
    // Operators are words: "OR", "AND", "NOT" and "NEAR" only match a message that says them.
    expect(ids(await search("q=lisbon%20OR%20porto"))).toEqual([]);
    expect(ids(await search("q=OR%20AND%20NOT%20NEAR"))).toEqual(["c3"]);
    expect(ids(await search(`q=${encodeURIComponent("content:x")}`))).toEqual(["c3"]);
    expect(ids(await search("q=lisbon*")).length).toBe(5);
    expect(await search("q=*%20%22%20()")).toEqual([]);
  });

  it("never shows one user's messages to another", async () => {
    expect(ids(await search("q=lisbon", bob))).toEqual(["b1"]);
    expect(await search(`q=lisbon&session_id=${sessions.travel}`, bob)).toEqual([]);
    expect(await search("q=porto", bob)).toEqual([]);
    expect(ids(await search("q=bob"))).toEqual([]);
  });

  it("refuses a missing, blank or over-long query and a bad limit with 400", async () => {
    for (const query of ["", "q=", "q=%20%20", `q=${"x".repeat(501)}`, "q=a&limit=0", "q=a&limit=51"]) {
      await expectError(
        await call(`/api/v1/messages/search?${query}`, { token: alice.accessToken }),
        400,
        "validation_failed",
      );
    }
  });
});

describe("ftsQuery", () => {
  it("quotes every term and drops what cannot be searched", () => {
    expect(ftsQuery('say "hi" OR NEAR(x)')).toBe('"say" "hi" "OR" "NEAR" "x"');
    expect(ftsQuery("don't stop—ever")).toBe(`"don't" "stop" "ever"`);
    expect(ftsQuery("* ^ ( ) : -")).toBeNull();
    expect(ftsQuery("a a a b")).toBe('"a" "b"');
    expect(ftsQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "))?.split(" ")).toHaveLength(32);
  });
});
