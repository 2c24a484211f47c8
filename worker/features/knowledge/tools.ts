/**
 * The agents' tools for files, documents and memory: read_file,
 * extract_document, query_table, memory_search, memory_add. Each runs as the
 * calling user (owner-scoped like the API) and fails with the API's AppErrors.
 * `KNOWLEDGE_TOOLS` is what the tool registry registers.
 */
import { z } from "@hono/zod-openapi";
import { getDb } from "../../db/client";
import { MEMORY_SCOPES } from "../../db/schema";
import { CellSchema, HeadingSchema } from "../documents/model";
import { getExtraction } from "../documents/service";
import { pickTable, queryTable, TableQuerySchema, TableResultSchema } from "../documents/table-query";
import { getOwnFile } from "../files/service";
import { SEARCH_MODES, searchMemories } from "../memory/search";
import { createMemory } from "../memory/service";
import { knowledgeContext } from "./context";
import { defineTool, type FeatureTool } from "./tool-kit";

const FileId = z.string().min(1).max(64).describe("The file's id, as listed by the files API");
/** Audit rows of a tool's changes: the user is the actor, the request id names the tool. */
const toolAudit = (userId: string, tool: string) => ({
  actor: { type: "user" as const, id: userId },
  meta: { ip: "agent", userAgent: null, requestId: `tool:${tool}` },
});

export const readFileTool = defineTool({
  name: "read_file",
  description:
    "Read a file's text: the content of a text file, or the extracted text of a PDF, Word or Excel document. Long files are paged with offset and max_chars.",
  extension: "files",
  scopes: ["files:read"],
  input: z.object({
    file_id: FileId,
    offset: z.number().int().min(0).default(0),
    max_chars: z.number().int().min(100).max(50_000).default(10_000),
  }),
  output: z.object({
    file_id: z.string(),
    filename: z.string(),
    content_type: z.string(),
    text: z.string(),
    offset: z.number().int(),
    total_chars: z.number().int(),
    truncated: z.boolean(),
  }),
  async run(input, { env, userId }) {
    const file = await getOwnFile(getDb(env), userId, input.file_id);
    const { text } = await getExtraction(env, file);
    const slice = text.slice(input.offset, input.offset + input.max_chars);
    return {
      file_id: file.id,
      filename: file.filename,
      content_type: file.contentType,
      text: slice,
      offset: input.offset,
      total_chars: text.length,
      truncated: input.offset + slice.length < text.length,
    };
  },
});

const PREVIEW_ROWS = 20;
const SECTION_CHARS = 4_000;

export const extractDocumentTool = defineTool({
  name: "extract_document",
  description:
    "Extract a document's structure: its pages, sheets or sections (text shortened), headings, and tables (first rows). Use query_table for a table's full rows.",
  extension: "files",
  scopes: ["files:read"],
  input: z.object({ file_id: FileId }),
  output: z.object({
    kind: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    headings: z.array(HeadingSchema),
    sections: z.array(
      z.object({ kind: z.string(), index: z.number().int(), title: z.string().optional(), text: z.string() }),
    ),
    tables: z.array(
      z.object({
        name: z.string(),
        columns: z.array(z.string()),
        row_count: z.number().int(),
        rows: z.array(z.array(CellSchema)),
      }),
    ),
  }),
  async run(input, { env, userId }) {
    const document = await getExtraction(env, await getOwnFile(getDb(env), userId, input.file_id));
    return {
      kind: document.kind,
      metadata: document.metadata,
      headings: document.headings,
      sections: document.sections.map((section) => ({ ...section, text: section.text.slice(0, SECTION_CHARS) })),
      tables: document.tables.map((table) => ({
        name: table.name,
        columns: table.columns,
        row_count: table.rows.length,
        rows: table.rows.slice(0, PREVIEW_ROWS),
      })),
    };
  },
});

export const queryTableTool = defineTool({
  name: "query_table",
  description:
    "Query a table in a spreadsheet, CSV or document: filter rows (eq, ne, gt, gte, lt, lte, contains, in), sort, group and aggregate (count, sum, avg, min, max).",
  extension: "files",
  scopes: ["files:read"],
  input: TableQuerySchema.extend({ file_id: FileId }),
  output: TableResultSchema,
  async run({ file_id, ...query }, { env, userId }) {
    const document = await getExtraction(env, await getOwnFile(getDb(env), userId, file_id));
    return queryTable(pickTable(document.tables, query.table), query);
  },
});

const CitedChunk = z.object({
  ref: z.number().int(),
  text: z.string(),
  source: z.string(),
  memory_id: z.string(),
  file_id: z.string().optional(),
  page: z.number().int().optional(),
  sheet: z.string().optional(),
  heading: z.string().optional(),
});

export const memorySearchTool = defineTool({
  name: "memory_search",
  description:
    "Search what the user has stored in memory and in indexed files (keyword and semantic search combined). Results carry citations; cite them as [ref].",
  extension: "memory",
  scopes: ["memory:read"],
  input: z.object({
    query: z.string().min(1).max(1000),
    mode: z.enum(SEARCH_MODES).default("hybrid"),
    limit: z.number().int().min(1).max(20).default(5),
    category: z.string().max(64).optional(),
    tags: z.array(z.string().max(64)).max(10).optional(),
  }),
  output: z.object({ results: z.array(CitedChunk) }),
  async run(input, { env, userId }) {
    if (input.mode === "hybrid" && !input.category && !input.tags) {
      const chunks = await knowledgeContext(env, userId, input.query, input.limit);
      return {
        results: chunks.map((chunk) => ({ ref: chunk.ref, text: chunk.text, source: chunk.label, ...chunk.citation })),
      };
    }
    const hits = await searchMemories(env, userId, {
      query: input.query,
      mode: input.mode,
      limit: input.limit,
      filters: { category: input.category, tags: input.tags },
    });
    return {
      results: hits.map((hit, i) => ({
        ref: i + 1,
        text: hit.content,
        source: hit.citation.filename ?? `memory (${hit.memory.category})`,
        memory_id: hit.memory.id,
        ...hit.citation,
      })),
    };
  },
});

export const memoryAddTool = defineTool({
  name: "memory_add",
  description: "Remember something for later conversations (the user can see, edit and delete it).",
  extension: "memory",
  scopes: ["memory:write"],
  input: z.object({
    content: z.string().min(1).max(20_000),
    category: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w .:-]+$/)
      .default("agent"),
    tags: z.array(z.string().min(1).max(64)).max(20).default([]),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  }),
  output: z.object({ memory_id: z.string(), chunks: z.number().int(), scope: z.enum(MEMORY_SCOPES) }),
  async run(input, { env, userId }) {
    const memory = await createMemory(
      env,
      userId,
      {
        content: input.content,
        category: input.category,
        tags: [...new Set(input.tags)],
        metadata: {},
        scope: "user",
        source: "agent",
        expiresAt: input.expires_in_days ? Date.now() + input.expires_in_days * 86_400_000 : null,
      },
      toolAudit(userId, "memory_add"),
    );
    return { memory_id: memory.id, chunks: memory.chunkCount, scope: memory.scope };
  },
});

export const KNOWLEDGE_TOOLS: FeatureTool[] = [
  readFileTool,
  extractDocumentTool,
  queryTableTool,
  memorySearchTool,
  memoryAddTool,
] as FeatureTool[];
