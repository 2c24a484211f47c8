/**
 * Memories through the public API: create, read, list with filters, edit (and
 * re-index), delete (rows, keyword index and vectors), global scope rules,
 * expiry (hidden at once, purged by the cron), and search in its three modes
 * with filters. Embeddings are the local hashing embedder (ENVIRONMENT=development).
 */
import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows, run } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { memorySearchPath } from "../../../test/worker/support/files";
import { HashingEmbedder } from "./embedder";
import { ShardedVectorIndex } from "./vector-index";

type Memory = {
  id: string;
  category: string;
  content: string;
  tags: string[];
  scope: string;
  owned: boolean;
  chunk_count: number;
  expires_at: string | null;
};
type Hit = {
  chunk_id: string;
  memory_id: string;
  content: string;
  keyword_rank: number | null;
  vector_rank: number | null;
};
type SearchResult = { mode: string; terms: string[]; results: Hit[] };

let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

beforeAll(async () => {
  [alice, bob, admin] = await Promise.all([createUser(), createUser(), createUser({ role: "admin" })]);
});

async function remember(user: TestUser, body: Record<string, unknown>): Promise<Memory> {
  const res = await call("/api/v1/memories", { token: user.accessToken, body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return json<Memory>(res);
}

async function search(user: TestUser, { query, ...options }: Record<string, unknown>): Promise<SearchResult> {
  const res = await call(memorySearchPath(String(query), options), { token: user.accessToken });
  if (res.status !== 200) throw new Error(`search failed: ${res.status} ${await res.text()}`);
  return json<SearchResult>(res);
}

const vectorHits = (owner: string, text: string) =>
  new ShardedVectorIndex(env.VECTOR_SHARD).query(new HashingEmbedder().embedOne(text), { topK: 100, owners: [owner] });

describe("CRUD", () => {
  it("creates, reads, edits and deletes a memory, keeping both indexes in step", async () => {
    const created = await remember(alice, {
      content: "The office wifi password rotates every Monday.",
      category: "office",
      tags: ["wifi", "it"],
      metadata: { source: "onboarding" },
    });
    expect(created).toMatchObject({
      category: "office",
      tags: ["wifi", "it"],
      scope: "user",
      owned: true,
      chunk_count: 1,
    });
    const read = await json<Memory>(await call(`/api/v1/memories/${created.id}`, { token: alice.accessToken }));
    expect(read.content).toBe("The office wifi password rotates every Monday.");

    const found = await search(alice, { query: "wifi password", mode: "keyword" });
    expect(found.results.map((hit) => hit.memory_id)).toContain(created.id);

    const patched = await call(`/api/v1/memories/${created.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      body: { content: "Printer toner lives in the supply closet.", tags: ["printer"] },
    });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ tags: ["printer"], chunk_count: 1 });
    expect((await search(alice, { query: "wifi password", mode: "keyword" })).results).toEqual([]);
    const toner = await search(alice, { query: "toner closet" });
    expect(toner.results[0]?.memory_id).toBe(created.id);
    const [chunk] = await rows<{ id: string }>("SELECT id FROM memory_chunks WHERE memory_id = ?", created.id);
    expect((await vectorHits(alice.id, "printer toner")).map((m) => m.id)).toEqual([chunk!.id]);

    const deleted = await call(`/api/v1/memories/${created.id}`, { method: "DELETE", token: alice.accessToken });
    expect(deleted.status).toBe(200);
    await expectError(await call(`/api/v1/memories/${created.id}`, { token: alice.accessToken }), 404, "not_found");
    expect((await search(alice, { query: "toner closet" })).results).toEqual([]);
    expect(await rows("SELECT seq FROM memory_chunks WHERE memory_id = ?", created.id)).toEqual([]);
    expect(await vectorHits(alice.id, "printer toner")).toEqual([]);
    const audit = await rows<{ action: string }>(
      "SELECT action FROM audit_logs WHERE resource_id = ? ORDER BY created_at",
      created.id,
    );
    expect(audit.map((row) => row.action)).toEqual(["memory.create", "memory.update", "memory.delete"]);
  });

  it("splits long content into overlapping chunks", async () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) =>
      `Paragraph ${i} talks about topic number ${i} in some detail. `.repeat(3),
    );
    const memory = await remember(alice, { content: paragraphs.join("\n\n") });
    expect(memory.chunk_count).toBeGreaterThan(2);
    const chunks = await rows<{ content: string }>(
      "SELECT content FROM memory_chunks WHERE memory_id = ? ORDER BY ordinal",
      memory.id,
    );
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(900);
    expect(chunks.map((c) => c.content).join(" ")).toContain("Paragraph 11");
  });

  it("lists newest first with filters by category, tag, source and time", async () => {
    const user = await createUser();
    const since = new Date(Date.now() - 1000).toISOString();
    const a = await remember(user, { content: "first", category: "alpha", tags: ["x"] });
    const b = await remember(user, { content: "second", category: "beta", tags: ["x", "y"] });
    const list = async (query: string) =>
      (await json<{ items: Memory[] }>(await call(`/api/v1/memories?${query}`, { token: user.accessToken }))).items.map(
        (m) => m.id,
      );
    expect(await list("")).toEqual([b.id, a.id]);
    expect(await list("category=alpha")).toEqual([a.id]);
    expect(await list("tag=y")).toEqual([b.id]);
    expect(await list("source=file")).toEqual([]);
    expect(await list(`created_after=${encodeURIComponent(since)}`)).toEqual([b.id, a.id]);
    expect(await list(`created_before=${encodeURIComponent(since)}`)).toEqual([]);
    const first = await json<{ items: Memory[]; next_cursor: string }>(
      await call("/api/v1/memories?limit=1", { token: user.accessToken }),
    );
    expect(first.items.map((m) => m.id)).toEqual([b.id]);
    expect(await list(`limit=1&cursor=${first.next_cursor}`)).toEqual([a.id]);
  });

  it("refuses bad input and needs the memory scopes", async () => {
    const bad = [
      { content: "" },
      { content: "x", tags: ["a,b"] },
      { content: "x", scope: "everyone" },
      { content: "x", extra: true },
    ];
    for (const body of bad) await expectError(await call("/api/v1/memories", { token: alice.accessToken, body }), 400);
    const past = { content: "x", expires_at: new Date(Date.now() - 1000).toISOString() };
    await expectError(await call("/api/v1/memories", { token: alice.accessToken, body: past }), 422, "invalid_expiry");
    const readOnly = await createApiKey(alice, ["memory:read"]);
    await expectError(
      await call("/api/v1/memories", { apiKey: readOnly.secret, body: { content: "x" } }),
      403,
      "insufficient_scope",
    );
    const m = await remember(alice, { content: "patch me" });
    await expectError(
      await call(`/api/v1/memories/${m.id}`, { method: "PATCH", token: alice.accessToken, body: {} }),
      400,
    );
  });
});

describe("scope", () => {
  it("keeps a user's memories from everyone else", async () => {
    const secret = await remember(alice, { content: "Alice's locker combination is 31-07-12" });
    for (const [method, body] of [["GET"], ["PATCH", { content: "mine now" }], ["DELETE"]] as const) {
      await expectError(
        await call(`/api/v1/memories/${secret.id}`, { method, token: bob.accessToken, body }),
        404,
        "not_found",
      );
    }
    const bobs = await search(bob, { query: "locker combination" });
    expect(bobs.results.map((hit) => hit.memory_id)).not.toContain(secret.id);
    expect((await vectorHits(bob.id, "locker combination")).length).toBe(0);
  });

  it("shares global memories with every user; only admins write them, only the author edits", async () => {
    await expectError(
      await call("/api/v1/memories", { token: alice.accessToken, body: { content: "x", scope: "global" } }),
      403,
      "insufficient_scope",
    );
    const policy = await remember(admin, {
      content: "Company holiday: the office closes on December 24.",
      scope: "global",
      category: "policy",
    });
    const seen = await json<Memory>(await call(`/api/v1/memories/${policy.id}`, { token: bob.accessToken }));
    expect(seen).toMatchObject({ scope: "global", owned: false });
    const found = await search(bob, { query: "office closes december" });
    expect(found.results[0]?.memory_id).toBe(policy.id);
    expect((await search(bob, { query: "office closes december", scope: "user" })).results).toEqual([]);
    const edit = await call(`/api/v1/memories/${policy.id}`, {
      method: "PATCH",
      token: bob.accessToken,
      body: { tags: ["x"] },
    });
    await expectError(edit, 403, "not_owner");
    const listed = await json<{ items: Memory[] }>(
      await call("/api/v1/memories?scope=global&limit=100", { token: bob.accessToken }),
    );
    expect(listed.items.map((m) => m.id)).toContain(policy.id);
  });
});

describe("global memories need admin:memory", () => {
  it("refuses an admin's API key without admin:memory (403) and changes nothing; accepts one with it", async () => {
    const narrow = await createApiKey(admin, ["memory:read", "memory:write"]);
    const wide = await createApiKey(admin, ["memory:read", "memory:write", "admin:memory"]);
    const body = { content: "Global notice written by a key", scope: "global" };
    const before = await rows("SELECT id FROM memories WHERE scope = 'global'");

    const refused = await expectError(
      await call("/api/v1/memories", { apiKey: narrow.secret, body }),
      403,
      "insufficient_scope",
    );
    expect(refused.error.details).toMatchObject({ missing: ["admin:memory"] });
    expect(await rows("SELECT id FROM memories WHERE scope = 'global'")).toEqual(before);

    const own = await json<Memory>(
      await call("/api/v1/memories", { apiKey: narrow.secret, body: { content: "mine" } }),
    );
    const publish = await call(`/api/v1/memories/${own.id}`, {
      method: "PATCH",
      apiKey: narrow.secret,
      body: { scope: "global" },
    });
    await expectError(publish, 403, "insufficient_scope");

    const created = await call("/api/v1/memories", { apiKey: wide.secret, body });
    expect(created.status).toBe(201);
    const notice = await json<Memory>(created);
    const removal = await call(`/api/v1/memories/${notice.id}`, { method: "DELETE", apiKey: narrow.secret });
    await expectError(removal, 403, "insufficient_scope");
    expect(await rows("SELECT id FROM memories WHERE id = ?", notice.id)).toHaveLength(1);
    expect((await call(`/api/v1/memories/${notice.id}`, { method: "DELETE", apiKey: wide.secret })).status).toBe(200);
  });

  it("gives admin:memory to admins only", async () => {
    await expectError(
      await call("/api/v1/keys", { token: alice.accessToken, body: { name: "x", scopes: ["admin:memory"] } }),
      403,
    );
  });
});

describe("expiry", () => {
  it("hides an expired memory at once and the cron removes it with its chunks and vectors", async () => {
    const user = await createUser();
    const memory = await remember(user, {
      content: "Temporary door code 4455 for the delivery",
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    const keep = await remember(user, { content: "Permanent door code lives in the vault" });
    await run("UPDATE memories SET expires_at = ? WHERE id = ?", Date.now() - 1, memory.id);
    await expectError(await call(`/api/v1/memories/${memory.id}`, { token: user.accessToken }), 404);
    expect((await search(user, { query: "door code" })).results.map((h) => h.memory_id)).toEqual([keep.id]);

    const result = await (
      exports.default as unknown as {
        scheduled(c: ScheduledController): Promise<{ outcome: string }>;
      }
    ).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }));
    expect(result.outcome).toBe("ok");
    expect(await rows("SELECT id FROM memories WHERE id = ?", memory.id)).toEqual([]);
    expect(await rows("SELECT id FROM memory_chunks WHERE memory_id = ?", memory.id)).toEqual([]);
    expect((await vectorHits(user.id, "temporary door code")).length).toBe(1);
    expect(await rows("SELECT id FROM memories WHERE id = ?", keep.id)).toHaveLength(1);
  });
});

describe("search", () => {
  let user: TestUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    user = await createUser();
    const notes: Array<[string, Record<string, unknown>]> = [
      [
        "invoice",
        {
          content: "Invoices from Acme are paid within 30 days by bank transfer.",
          category: "finance",
          tags: ["acme", "billing"],
        },
      ],
      [
        "garden",
        { content: "Water the tomato plants every second evening in summer.", category: "home", tags: ["garden"] },
      ],
      [
        "deploy",
        { content: "Production deploys happen on Tuesdays after the change review.", category: "work", tags: ["ops"] },
      ],
      [
        "acme",
        {
          content: "Acme's account manager is Dana; she prefers email over phone calls.",
          category: "work",
          tags: ["acme"],
        },
      ],
    ];
    for (const [key, body] of notes) ids[key] = (await remember(user, body)).id;
  });

  it("keyword mode ranks by BM25 with stemming", async () => {
    const result = await search(user, { query: "paying invoice", mode: "keyword" });
    expect(result.results[0]).toMatchObject({ memory_id: ids.invoice, keyword_rank: 1, vector_rank: null });
    expect(result.terms).toEqual(["paying", "invoice"]);
  });

  it("vector mode finds near spellings keyword search misses", async () => {
    const keyword = await search(user, { query: "tomatto plantts", mode: "keyword" });
    expect(keyword.results).toEqual([]);
    const vector = await search(user, { query: "tomatto plantts", mode: "vector" });
    expect(vector.results[0]).toMatchObject({ memory_id: ids.garden, keyword_rank: null, vector_rank: 1 });
  });

  it("hybrid mode fuses both and reports each rank", async () => {
    const result = await search(user, { query: "acme invoices", limit: 3 });
    expect(result.mode).toBe("hybrid");
    expect(result.results[0]?.memory_id).toBe(ids.invoice);
    expect(result.results[0]?.keyword_rank).toBe(1);
    expect(result.results[0]?.vector_rank).toBe(1);
    expect(result.results.map((hit) => hit.memory_id)).toContain(ids.acme);
  });

  it("filters by category, tags and time in every mode", async () => {
    for (const mode of ["hybrid", "keyword", "vector"]) {
      const work = await search(user, { query: "acme", mode, category: "work" });
      expect(
        work.results.map((hit) => hit.memory_id),
        mode,
      ).toEqual([ids.acme]);
      const tagged = await search(user, { query: "acme", mode, tags: ["acme", "billing"] });
      expect(
        tagged.results.map((hit) => hit.memory_id),
        mode,
      ).toEqual([ids.invoice]);
      const future = await search(user, {
        query: "acme",
        mode,
        created_after: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(future.results, mode).toEqual([]);
    }
  });

  it("treats query text as words, never as FTS syntax", async () => {
    for (const query of ['acme" OR "x', "NEAR(acme deploy)", "acme*", "-acme", "{}[]():^"]) {
      const res = await call(memorySearchPath(query, { mode: "keyword" }), { token: user.accessToken });
      expect(res.status, query).toBe(200);
      await res.arrayBuffer();
    }
  });
});
