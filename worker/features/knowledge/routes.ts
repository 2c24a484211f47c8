/**
 * /api/v1/files/{id}/index: add a file's text to the knowledge base (chunks with
 * citations to page, sheet or heading), or take it out again.
 */
import { z } from "@hono/zod-openapi";
import { getDb } from "../../db/client";
import { requestMeta } from "../../lib/request-meta";
import { toIso } from "../../lib/time";
import { createRouter, errorResponses, jsonResponse, securedRoute } from "../../openapi";
import { actorOf } from "../audit/record";
import { FileIdParam } from "../files/schemas";
import { getOwnFile } from "../files/service";
import { forgetFile, indexFile } from "./indexer";

export const knowledgeRoutes = createRouter();

const IndexedSchema = z
  .object({
    file_id: z.string(),
    memory_id: z.string().openapi({ description: "The memory (source `file`) holding the file's chunks" }),
    chunks: z.number().int(),
    indexed_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("FileIndex");

knowledgeRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files/{id}/index",
    tags: ["Knowledge"],
    summary: "Index the file's text into the knowledge base (replacing an earlier index)",
    description: "Needs both scopes: it reads the file and writes memory.",
    scopes: ["files:read", "memory:write"],
    request: { params: FileIdParam },
    responses: { 200: jsonResponse("Indexed", IndexedSchema), ...errorResponses(404, 422, 503) },
  }),
  async (c) => {
    const { principal } = c.var;
    const file = await getOwnFile(getDb(c.env), principal.userId, c.req.valid("param").id);
    const indexed = await indexFile(c.env, principal.userId, file.id, {
      actor: actorOf(principal),
      meta: requestMeta(c),
    });
    return c.json(
      { file_id: file.id, memory_id: indexed.memoryId, chunks: indexed.chunks, indexed_at: toIso(indexed.indexedAt) },
      200,
    );
  },
);

knowledgeRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/files/{id}/index",
    tags: ["Knowledge"],
    summary: "Take the file out of the knowledge base (the file itself stays)",
    scopes: ["memory:write"],
    request: { params: FileIdParam },
    responses: {
      200: jsonResponse("Forgotten", z.object({ file_id: z.string(), forgotten_memories: z.number().int() })),
      ...errorResponses(404),
    },
  }),
  async (c) => {
    const { userId } = c.var.principal;
    const file = await getOwnFile(getDb(c.env), userId, c.req.valid("param").id);
    return c.json({ file_id: file.id, forgotten_memories: await forgetFile(c.env, userId, file.id) }, 200);
  },
);
