/** Request and response shapes of /api/v1/files. */
import { z } from "@hono/zod-openapi";
import { EXTRACTION_STATUSES, type files } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso, toIsoOrNull } from "../../lib/time";

export const FileSchema = z
  .object({
    id: z.string(),
    filename: z.string(),
    content_type: z.string().openapi({ description: "As sniffed from the bytes, not as the client declared it" }),
    size: z.number().int(),
    sha256: z.string().openapi({ description: "Hex SHA-256 of the content; also the download's ETag" }),
    metadata: z.record(z.string(), z.unknown()),
    session_id: z.string().nullable(),
    task_id: z.string().nullable(),
    extraction: z.object({
      status: z.enum(EXTRACTION_STATUSES),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
      extracted_at: z.string().nullable().openapi({ format: "date-time" }),
    }),
    indexed_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    accessed_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("File");
export type FileDto = z.infer<typeof FileSchema>;

export function toFile(row: typeof files.$inferSelect): FileDto {
  return {
    id: row.id,
    filename: row.filename,
    content_type: row.contentType,
    size: row.size,
    sha256: row.sha256,
    metadata: row.metadata,
    session_id: row.sessionId,
    task_id: row.taskId,
    extraction: {
      status: row.extractionStatus,
      error: row.extractionError ?? null,
      extracted_at: toIsoOrNull(row.extractedAt),
    },
    indexed_at: toIsoOrNull(row.indexedAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    accessed_at: toIsoOrNull(row.accessedAt),
  };
}

export const FilePageSchema = pageSchema(FileSchema, "FilePage");

export const FileIdParam = z.object({ id: z.string().min(1).max(64) });

const Filename = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine(
    (name) => ![...name].some((char) => char.charCodeAt(0) < 0x20 || char === "/" || char === "\\"),
    "A filename has no slashes or control characters",
  );

const BoolFlag = z.enum(["true", "false"]).default("false");

export const UploadQuery = z.object({
  filename: Filename.openapi({ description: "The file's name" }),
  session_id: z.string().min(1).max(64).optional().openapi({ description: "A chat session of yours it belongs to" }),
  task_id: z.string().min(1).max(64).optional(),
  index: BoolFlag.openapi({ description: "Add its text to the knowledge base once extracted" }),
});

const MetadataText = z
  .string()
  .max(16_384)
  .optional()
  .openapi({ description: "A JSON object of your own fields, as text" });

export const UploadForm = z.object({
  file: z
    .instanceof(File)
    .openapi({ type: "string", format: "binary", description: "The file; its name is kept unless `filename` is set" }),
  filename: Filename.optional(),
  session_id: z.string().min(1).max(64).optional(),
  task_id: z.string().min(1).max(64).optional(),
  metadata: MetadataText,
  index: BoolFlag,
});

export const FileListQuery = z.object({
  content_type: z
    .string()
    .max(200)
    .regex(/^[\w.+-]+\/([\w.+-]+|\*)$/, "A content type, or `type/*`")
    .optional()
    .openapi({ description: "Exact content type, or a family such as `text/*`" }),
  q: z.string().min(1).max(200).optional().openapi({ description: "Part of the filename" }),
  session_id: z.string().min(1).max(64).optional(),
  status: z.enum(EXTRACTION_STATUSES).optional().openapi({ description: "Extraction status" }),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
});

export const CreateLinkBody = z
  .object({
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(3600)
      .openapi({
        description: "Seconds until the link stops working (at most the `file_limits.max_link_seconds` setting)",
      }),
  })
  .strict()
  .openapi("CreateFileLinkRequest");

export const FileLinkSchema = z
  .object({
    url: z.string().openapi({ description: "Works without credentials until it expires" }),
    expires_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("FileLink");

export const SignedDownloadQuery = z.object({
  expires: z.coerce.number().int().min(0).max(99_999_999_999),
  signature: z.string().min(10).max(128),
});
