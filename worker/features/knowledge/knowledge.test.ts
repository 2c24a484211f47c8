/**
 * The knowledge base end to end: files indexed into memory with citations to
 * page, sheet or heading (by route and by the upload's `index=true` through the
 * queue), re-indexing, forgetting, deletion cascading to chunks and vectors,
 * knowledgeContext for the chat pipeline, and the agents' tools run directly.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import {
  type FileDto,
  fixture,
  memorySearchPath,
  stored,
  text,
  uploadForm,
  uploadPut,
} from "../../../test/worker/support/files";
import { AppError } from "../../errors";
import { formatKnowledge, knowledgeContext } from "./context";
import { describeTool, runTool } from "./tool-kit";
import {
  extractDocumentTool,
  KNOWLEDGE_TOOLS,
  memoryAddTool,
  memorySearchTool,
  queryTableTool,
  readFileTool,
} from "./tools";

type Hit = { memory_id: string; content: string; citation: Record<string, unknown> };

let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  [user, other] = await Promise.all([createUser(), createUser()]);
});

const index = async (who: TestUser, id: string) => {
  const res = await call(`/api/v1/files/${id}/index`, { method: "POST", token: who.accessToken });
  if (res.status !== 200) throw new Error(`index failed: ${res.status} ${await res.text()}`);
  return json<{ memory_id: string; chunks: number }>(res);
};

const search = async (who: TestUser, query: string, extra: Record<string, unknown> = {}) =>
  (await json<{ results: Hit[] }>(await call(memorySearchPath(query, extra), { token: who.accessToken }))).results;

describe("indexing files", () => {
  it("cites the page of a PDF, the sheet of a workbook and the heading of a Word document", async () => {
    const pdf = await stored(uploadForm(user, "report.pdf", fixture("report.pdf")));
    const xlsx = await stored(uploadForm(user, "sales.xlsx", fixture("sales.xlsx")));
    const docx = await stored(uploadForm(user, "report.docx", fixture("report.docx")));
    for (const file of [pdf, xlsx, docx]) expect((await index(user, file.id)).chunks).toBeGreaterThan(0);

    const battery = await search(user, "battery storage maintenance", { source: "file" });
    expect(battery[0]?.citation).toEqual({ file_id: pdf.id, filename: "report.pdf", page: 2 });
    const euros = await search(user, "prices euros", { source: "file" });
    expect(euros[0]?.citation).toEqual({ file_id: xlsx.id, filename: "sales.xlsx", sheet: "Notes" });
    const outlook = await search(user, "steady growth next year", { source: "file" });
    expect(outlook[0]?.citation).toEqual({ file_id: docx.id, filename: "report.docx", heading: "Outlook" });
    const meta = await json<FileDto>(await call(`/api/v1/files/${pdf.id}`, { token: user.accessToken }));
    expect(meta.indexed_at).not.toBeNull();
  }, 30_000);

  it("replaces an earlier index, forgets on request and on file deletion, vectors included", async () => {
    const file = await stored(uploadForm(user, "fjord.md", text("# Fjords\nThe Geirangerfjord ferry leaves hourly.")));
    const first = await index(user, file.id);
    const again = await index(user, file.id);
    const memories = await rows<{ id: string }>("SELECT id FROM memories WHERE file_id = ?", file.id);
    expect(memories.map((m) => m.id)).toEqual([again.memory_id]);
    const hits = (await search(user, "Geirangerfjord ferry")).map((h) => h.memory_id);
    expect(hits[0]).toBe(again.memory_id);
    expect(hits).not.toContain(first.memory_id);

    const forgotten = await call(`/api/v1/files/${file.id}/index`, { method: "DELETE", token: user.accessToken });
    expect(await json(forgotten)).toEqual({ file_id: file.id, forgotten_memories: 1 });
    expect((await search(user, "Geirangerfjord ferry")).map((h) => h.memory_id)).not.toContain(again.memory_id);
    expect((await call(`/api/v1/files/${file.id}/content`, { token: user.accessToken })).status).toBe(200);

    const reindexed = await index(user, file.id);
    const chunkIds = await rows<{ id: string }>(
      "SELECT id FROM memory_chunks WHERE memory_id = ?",
      reindexed.memory_id,
    );
    await call(`/api/v1/files/${file.id}`, { method: "DELETE", token: user.accessToken });
    expect(await rows("SELECT id FROM memories WHERE file_id = ?", file.id)).toEqual([]);
    expect(await rows("SELECT id FROM memory_chunks WHERE memory_id = ?", reindexed.memory_id)).toEqual([]);
    const shard = env.VECTOR_SHARD.get(env.VECTOR_SHARD.idFromName(`owner:${user.id}`));
    const left = await shard.query(new Array(256).fill(0.0625), 100, null);
    for (const chunk of chunkIds) expect(left.map((m) => m.id)).not.toContain(chunk.id);
  });

  it("indexes in the background when the upload asks for it", async () => {
    const file = await stored(
      uploadPut(user, "pier.txt", text("The pier lights switch on at dusk."), { query: { index: "true" } }),
    );
    let indexed: string | null = null;
    for (let i = 0; i < 60 && !indexed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      indexed = (await json<FileDto>(await call(`/api/v1/files/${file.id}`, { token: user.accessToken }))).indexed_at;
    }
    expect(indexed).not.toBeNull();
    expect((await search(user, "pier lights dusk"))[0]?.citation).toMatchObject({ file_id: file.id });
  }, 30_000);

  it("answers 422 for an unreadable file and 404 for another user's", async () => {
    const broken = await stored(uploadForm(user, "broken.pdf", fixture("report.pdf").slice(0, 300)));
    await expectError(
      await call(`/api/v1/files/${broken.id}/index`, { method: "POST", token: user.accessToken }),
      422,
      "corrupt_document",
    );
    await expectError(
      await call(`/api/v1/files/${broken.id}/index`, { method: "POST", token: other.accessToken }),
      404,
      "not_found",
    );
  });
});

describe("knowledgeContext", () => {
  it("returns the top chunks with numbered citations and labels, never another user's", async () => {
    const file = await stored(
      uploadForm(user, "lighthouse.md", text("# Keeper\nThe lighthouse keeper logs the weather at six.")),
    );
    await index(user, file.id);
    await call("/api/v1/memories", {
      token: user.accessToken,
      body: { content: "The lighthouse is painted red and white.", category: "facts" },
    });
    const chunks = await knowledgeContext(env, user.id, "lighthouse keeper weather log", 3);
    expect(chunks[0]).toMatchObject({
      ref: 1,
      label: "lighthouse.md, “Keeper”",
      citation: { file_id: file.id, filename: "lighthouse.md", heading: "Keeper" },
    });
    expect(chunks.map((c) => c.label)).toContain("memory (facts)");
    expect(formatKnowledge(chunks)).toContain("[1] (lighthouse.md, “Keeper”)");
    expect(await knowledgeContext(env, other.id, "lighthouse keeper weather log", 3)).toEqual([]);
    expect(await knowledgeContext(env, user.id, "   ")).toEqual([]);
  });
});

describe("agent tools", () => {
  it("describe themselves like ToolDescriptor, with JSON Schemas and scopes", () => {
    const names = KNOWLEDGE_TOOLS.map((tool) => describeTool(tool));
    expect(names.map((d) => d.name)).toEqual([
      "read_file",
      "extract_document",
      "query_table",
      "memory_search",
      "memory_add",
    ]);
    for (const descriptor of names) {
      expect(descriptor.inputSchema).toMatchObject({ type: "object" });
      expect(descriptor.scopes.length).toBeGreaterThan(0);
    }
    expect(describeTool(queryTableTool as never).inputSchema).toMatchObject({
      required: expect.arrayContaining(["file_id"]),
    });
  });

  it("read, extract and query files as the calling user", async () => {
    const csv = await stored(uploadForm(user, "orders.csv", text("item,qty\nbolts,40\nnuts,15\nbolts,5\n")));
    const ctx = { env, userId: user.id };
    const read = await runTool(readFileTool, { file_id: csv.id, max_chars: 100 }, ctx);
    expect(read).toMatchObject({ filename: "orders.csv", truncated: false, offset: 0 });
    expect(read.text).toContain("item: bolts; qty: 40");
    const paged = await runTool(readFileTool, { file_id: csv.id, offset: 5, max_chars: 100 }, ctx);
    expect(paged.text).toBe(read.text.slice(5));

    const doc = await runTool(extractDocumentTool, { file_id: csv.id }, ctx);
    expect(doc.tables[0]).toMatchObject({ columns: ["item", "qty"], row_count: 3 });

    const sums = await runTool(
      queryTableTool,
      { file_id: csv.id, group_by: ["item"], aggregates: [{ fn: "sum", column: "qty" }], sort: [{ column: "item" }] },
      ctx,
    );
    expect(sums.rows).toEqual([
      ["bolts", 45],
      ["nuts", 15],
    ]);
    await expect(runTool(readFileTool, { file_id: csv.id }, { env, userId: other.id })).rejects.toBeInstanceOf(
      AppError,
    );
    await expect(runTool(readFileTool, { file_id: 42 }, ctx)).rejects.toBeInstanceOf(ZodError);
  });

  it("add memories and search them with citations", async () => {
    const ctx = { env, userId: user.id };
    const added = await runTool(memoryAddTool, { content: "The user's cat is called Miso.", tags: ["pets"] }, ctx);
    expect(added).toMatchObject({ chunks: 1, scope: "user" });
    const [row] = await rows<{ source: string; category: string }>(
      "SELECT source, category FROM memories WHERE id = ?",
      added.memory_id,
    );
    expect(row).toEqual({ source: "agent", category: "agent" });
    const found = await runTool(memorySearchTool, { query: "what is the cat called" }, ctx);
    expect(found.results[0]).toMatchObject({ ref: 1, memory_id: added.memory_id, source: "memory (agent)" });
    const tagged = await runTool(memorySearchTool, { query: "cat", tags: ["pets"], mode: "keyword" }, ctx);
    expect(tagged.results.map((r) => r.memory_id)).toEqual([added.memory_id]);
    expect((await runTool(memorySearchTool, { query: "Miso cat" }, { env, userId: other.id })).results).toEqual([]);
  });
});
