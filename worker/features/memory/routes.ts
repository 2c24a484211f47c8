/**
 * /api/v1/memories: everything the platform remembers, which people can inspect,
 * search, add, edit and delete. Global memories are readable by every user;
 * writing one also needs the `admin:memory` scope (admins hold it; an admin's API
 * key only if it was given it).
 */
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { actorOf } from "../audit/record";
import type { Principal } from "../auth/principal";
import { words } from "./embedder";
import {
  CreateMemoryBody,
  MemoryIdParam,
  MemoryListQuery,
  MemoryPageSchema,
  MemorySchema,
  SearchQuery,
  SearchResultSchema,
  toMemory,
  toSearchHit,
  UpdateMemoryBody,
} from "./schemas";
import { searchMemoriesWithMode } from "./search";
import {
  chunkCounts,
  createMemory,
  deleteMemories,
  getOwnMemory,
  getReadableMemory,
  listMemories,
  updateMemory,
} from "./service";

export const memoryRoutes = createRouter();

const TAGS = ["Memory"];
const parseTime = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

/** Creating, editing, deleting or publishing a global memory needs `admin:memory` on top of `memory:write`. */
function checkGlobal(principal: Principal, scope: string | undefined) {
  if (scope === "global" && !principal.scopes.has("admin:memory")) {
    throw new AppError(403, "insufficient_scope", "Writing a global memory needs the admin:memory scope", {
      required: ["memory:write", "admin:memory"],
      missing: ["admin:memory"],
    });
  }
}

const GLOBAL_NOTE = "Writing a global memory (`scope: global`) also needs `admin:memory`.";

function futureExpiry(iso: string | null | undefined): number | null | undefined {
  if (iso === undefined || iso === null) return iso;
  const at = Date.parse(iso);
  if (at <= Date.now()) throw new AppError(422, "invalid_expiry", "expires_at must be in the future");
  return at;
}

memoryRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/memories",
    tags: TAGS,
    summary: "Remember something",
    description: `The content is split into chunks and indexed for keyword and semantic search. ${GLOBAL_NOTE}`,
    scopes: ["memory:write"],
    request: jsonBody(CreateMemoryBody),
    responses: { 201: jsonResponse("Stored", MemorySchema), ...errorResponses(413, 415, 422, 503) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { principal } = c.var;
    checkGlobal(principal, body.scope);
    const row = await createMemory(
      c.env,
      principal.userId,
      {
        content: body.content,
        category: body.category,
        tags: [...new Set(body.tags)],
        metadata: body.metadata,
        scope: body.scope,
        source: "manual",
        expiresAt: futureExpiry(body.expires_at) ?? null,
      },
      { actor: actorOf(principal), meta: requestMeta(c) },
    );
    return c.json(toMemory(row, principal.userId), 201);
  },
);

memoryRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/memories",
    tags: TAGS,
    summary: "List your memories and global ones, newest first",
    scopes: ["memory:read"],
    request: { query: PageQuerySchema.extend(MemoryListQuery.shape) },
    responses: { 200: jsonResponse("A page of memories", MemoryPageSchema) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { userId } = c.var.principal;
    const page = await listMemories(getDb(c.env), userId, {
      limit: q.limit,
      cursor: q.cursor,
      category: q.category,
      tags: q.tag ? [q.tag] : undefined,
      scope: q.scope,
      source: q.source,
      fileId: q.file_id,
      createdAfter: parseTime(q.created_after),
      createdBefore: parseTime(q.created_before),
    });
    return c.json({ items: page.items.map((row) => toMemory(row, userId)), next_cursor: page.next_cursor }, 200);
  },
);

memoryRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/memories/search",
    tags: TAGS,
    summary: "Search memories: hybrid (keyword + semantic, fused), keyword only, or semantic only",
    scopes: ["memory:read"],
    request: { query: SearchQuery },
    responses: { 200: jsonResponse("Matching chunks, best first", SearchResultSchema), ...errorResponses(503) },
  }),
  async (c) => {
    const body = c.req.valid("query");
    const { userId } = c.var.principal;
    const { mode, hits } = await searchMemoriesWithMode(c.env, userId, {
      query: body.q,
      mode: body.mode,
      limit: body.limit,
      filters: {
        category: body.category,
        tags: body.tags,
        scope: body.scope,
        source: body.source,
        fileId: body.file_id,
        createdAfter: parseTime(body.created_after),
        createdBefore: parseTime(body.created_before),
      },
    });
    return c.json(
      { mode, terms: [...new Set(words(body.q))], results: hits.map((hit) => toSearchHit(hit, userId)) },
      200,
    );
  },
);

memoryRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/memories/{id}",
    tags: TAGS,
    summary: "Read a memory",
    scopes: ["memory:read"],
    request: { params: MemoryIdParam },
    responses: { 200: jsonResponse("The memory", MemorySchema), ...errorResponses(404) },
  }),
  async (c) => {
    const db = getDb(c.env);
    const { userId } = c.var.principal;
    const row = await getReadableMemory(db, userId, c.req.valid("param").id);
    const counts = await chunkCounts(db, [row.id]);
    return c.json(toMemory({ ...row, chunkCount: counts.get(row.id) ?? 0 }, userId), 200);
  },
);

memoryRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/memories/{id}",
    tags: TAGS,
    summary: "Edit a memory; changed content is re-indexed",
    description: GLOBAL_NOTE,
    scopes: ["memory:write"],
    request: { params: MemoryIdParam, ...jsonBody(UpdateMemoryBody) },
    responses: { 200: jsonResponse("Updated", MemorySchema), ...errorResponses(404, 413, 415, 422, 503) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { principal } = c.var;
    const row = await getOwnMemory(getDb(c.env), principal.userId, c.req.valid("param").id);
    checkGlobal(principal, body.scope ?? (row.scope === "global" ? "global" : undefined));
    const expiresAt = futureExpiry(body.expires_at);
    const updated = await updateMemory(
      c.env,
      row,
      {
        ...(body.content !== undefined ? { content: body.content } : {}),
        ...(body.category !== undefined ? { category: body.category } : {}),
        ...(body.tags !== undefined ? { tags: [...new Set(body.tags)] } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        ...(body.scope !== undefined ? { scope: body.scope } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      },
      { actor: actorOf(principal), meta: requestMeta(c) },
    );
    return c.json(toMemory(updated, principal.userId), 200);
  },
);

memoryRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/memories/{id}",
    tags: TAGS,
    summary: "Forget a memory, its chunks and its vectors",
    description: GLOBAL_NOTE,
    scopes: ["memory:write"],
    request: { params: MemoryIdParam },
    responses: { 200: jsonResponse("Deleted", MemorySchema), ...errorResponses(404) },
  }),
  async (c) => {
    const { principal } = c.var;
    const db = getDb(c.env);
    const row = await getOwnMemory(db, principal.userId, c.req.valid("param").id);
    checkGlobal(principal, row.scope);
    const counts = await chunkCounts(db, [row.id]);
    await deleteMemories(c.env, [row], { actor: actorOf(principal), meta: requestMeta(c) });
    return c.json(toMemory({ ...row, chunkCount: counts.get(row.id) ?? 0 }, principal.userId), 200);
  },
);
