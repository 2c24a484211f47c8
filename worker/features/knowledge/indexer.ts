/**
 * The knowledge base: a file's extracted text indexed into memory, one memory
 * per file (source `file`), chunked section by section so every chunk cites
 * where it came from — the file, and its page (PDF), sheet (XLSX) or heading.
 * Indexing again replaces the previous index; deleting the file forgets it.
 * Called by the /files/{id}/index routes and the file-jobs queue (upload `index=true`).
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { type ChunkCitation, files, memories } from "../../db/schema";
import { AppError } from "../../errors";
import type { RequestMeta } from "../../lib/request-meta";
import type { Actor } from "../audit/record";
import { getConfig } from "../config/service";
import type { Section } from "../documents/model";
import { getExtraction } from "../documents/service";
import { chunkText } from "../memory/chunking";
import { type ChunkInput, createMemory, deleteMemories } from "../memory/service";

const SYSTEM = {
  actor: { type: "system", id: null } as Actor,
  meta: { ip: "queue", userAgent: null, requestId: "file-jobs" },
};
/** The memory keeps the document's text up to this length; chunks cover all of it. */
const MAX_CONTENT_CHARS = 200_000;

function citationOf(file: { id: string; filename: string }, section: Section): ChunkCitation {
  const citation: ChunkCitation = { file_id: file.id, filename: file.filename };
  if (section.kind === "page") citation.page = section.index;
  else if (section.kind === "sheet") citation.sheet = section.title ?? `sheet ${section.index}`;
  else if (section.title) citation.heading = section.title;
  return citation;
}

/** Forgets what was indexed from a file (its knowledge memories, chunks and vectors). */
export async function forgetFile(env: Env, userId: string, fileId: string): Promise<number> {
  const db = getDb(env);
  const indexed = await db
    .select()
    .from(memories)
    .where(and(eq(memories.userId, userId), eq(memories.fileId, fileId)));
  await deleteMemories(env, indexed);
  await db
    .update(files)
    .set({ indexedAt: null })
    .where(and(eq(files.id, fileId), eq(files.userId, userId)));
  return indexed.length;
}

export async function indexFile(
  env: Env,
  userId: string,
  fileId: string,
  audit: { actor: Actor; meta: RequestMeta } = SYSTEM,
) {
  const db = getDb(env);
  const file = await db.query.files.findFirst({ where: and(eq(files.id, fileId), eq(files.userId, userId)) });
  if (!file) throw new AppError(404, "not_found", "File not found");
  const document = await getExtraction(env, file);
  const { chunk_chars, chunk_overlap_chars } = await getConfig(env, "knowledge");
  const chunks: ChunkInput[] = document.sections.flatMap((section) =>
    chunkText(section.text, { size: chunk_chars, overlap: chunk_overlap_chars }).map((content) => ({
      content,
      citation: citationOf(file, section),
    })),
  );
  if (!chunks.length) throw new AppError(422, "no_text", "The document has no text to index");
  await forgetFile(env, userId, fileId);
  const memory = await createMemory(
    env,
    userId,
    {
      content: document.text.slice(0, MAX_CONTENT_CHARS),
      category: "knowledge",
      tags: ["file", document.kind],
      metadata: { filename: file.filename, content_type: file.contentType },
      scope: "user",
      source: "file",
      fileId,
      expiresAt: null,
    },
    audit,
    chunks,
  );
  const indexedAt = Date.now();
  await db
    .update(files)
    .set({ indexedAt })
    .where(and(eq(files.id, fileId), eq(files.userId, userId)));
  return { memoryId: memory.id, chunks: memory.chunkCount, indexedAt };
}
