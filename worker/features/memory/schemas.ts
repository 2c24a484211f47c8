/** Request and response shapes of /api/v1/memories. */
import { z } from "@hono/zod-openapi";
import { MEMORY_SCOPES, MEMORY_SOURCES, type memories } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso, toIsoOrNull } from "../../lib/time";
import { SEARCH_MODES, type SearchHit } from "./search-result";

const Category = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w .:-]+$/, "Letters, digits, spaces and . _ : - only");
const Tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,\s][^,]*$/, "A tag has no commas");
const Tags = z.array(Tag).max(20);
const Metadata = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 8192, "metadata is at most 8 KB as JSON");
const Content = z.string().trim().min(1).max(100_000);
const Expiry = z.iso.datetime({ offset: true });

export const CitationSchema = z
  .object({
    file_id: z.string().optional(),
    filename: z.string().optional(),
    page: z.number().int().optional(),
    sheet: z.string().optional(),
    heading: z.string().optional(),
  })
  .openapi("Citation");

export const MemorySchema = z
  .object({
    id: z.string(),
    category: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    scope: z.enum(MEMORY_SCOPES),
    source: z.enum(MEMORY_SOURCES),
    file_id: z.string().nullable(),
    owned: z.boolean().openapi({ description: "Whether you wrote it (global memories may be someone else's)" }),
    chunk_count: z.number().int(),
    expires_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Memory");
export type MemoryDto = z.infer<typeof MemorySchema>;

export function toMemory(row: typeof memories.$inferSelect & { chunkCount: number }, userId: string): MemoryDto {
  return {
    id: row.id,
    category: row.category,
    content: row.content,
    tags: row.tags,
    metadata: row.metadata,
    scope: row.scope,
    source: row.source,
    file_id: row.fileId,
    owned: row.userId === userId,
    chunk_count: row.chunkCount,
    expires_at: toIsoOrNull(row.expiresAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const MemoryPageSchema = pageSchema(MemorySchema, "MemoryPage");
export const MemoryIdParam = z.object({ id: z.string().min(1).max(64) });

export const CreateMemoryBody = z
  .object({
    content: Content,
    category: Category.default("general"),
    tags: Tags.default([]),
    metadata: Metadata.default({}),
    scope: z
      .enum(MEMORY_SCOPES)
      .default("user")
      .openapi({ description: "`global` memories are read by every user; only admins write them" }),
    expires_at: Expiry.optional().openapi({ description: "Forgotten after this time; kept until deleted if omitted" }),
  })
  .strict()
  .openapi("CreateMemoryRequest");

export const UpdateMemoryBody = z
  .object({
    content: Content.optional(),
    category: Category.optional(),
    tags: Tags.optional(),
    metadata: Metadata.optional(),
    scope: z.enum(MEMORY_SCOPES).optional(),
    expires_at: Expiry.nullable().optional().openapi({ description: "null keeps it until deleted" }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, "Change at least one field")
  .openapi("UpdateMemoryRequest");

const FilterFields = {
  category: Category.optional(),
  scope: z.enum(MEMORY_SCOPES).optional(),
  source: z.enum(MEMORY_SOURCES).optional(),
  file_id: z.string().min(1).max(64).optional(),
  created_after: Expiry.optional(),
  created_before: Expiry.optional(),
};

export const MemoryListQuery = z.object({
  ...FilterFields,
  tag: Tag.optional().openapi({ description: "Only memories with this tag" }),
});

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(1000).openapi({ description: "What to look for" }),
  mode: z.enum(SEARCH_MODES).default("hybrid"),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  ...FilterFields,
  tags: z
    .string()
    .max(1000)
    .optional()
    .transform((value) =>
      value
        ?.split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    )
    .pipe(Tags.optional())
    .openapi({ type: "string", description: "Comma-separated: only memories with all of these tags" }),
});

export const SearchHitSchema = z
  .object({
    chunk_id: z.string(),
    memory_id: z.string(),
    content: z.string().openapi({ description: "The matching chunk of the memory" }),
    score: z.number().openapi({ description: "Reciprocal-rank-fusion score (higher is better)" }),
    keyword_rank: z.number().int().nullable(),
    vector_rank: z.number().int().nullable(),
    citation: CitationSchema,
    memory: MemorySchema.omit({ content: true, chunk_count: true }),
  })
  .openapi("MemorySearchHit");

export const SearchResultSchema = z
  .object({
    mode: z.enum(SEARCH_MODES).openapi({
      description:
        "The mode that produced the results: `keyword` when hybrid was asked but the embedding model is down",
    }),
    terms: z.array(z.string()).openapi({ description: "The query's words, for highlighting" }),
    results: z.array(SearchHitSchema),
  })
  .openapi("MemorySearchResult");

export function toSearchHit(hit: SearchHit, userId: string) {
  const { content: _content, chunk_count: _count, ...memory } = toMemory({ ...hit.memory, chunkCount: 0 }, userId);
  return {
    chunk_id: hit.chunkId,
    memory_id: hit.memory.id,
    content: hit.content,
    score: hit.score,
    keyword_rank: hit.keywordRank,
    vector_rank: hit.vectorRank,
    citation: hit.citation,
    memory,
  };
}
