/**
 * Files: storing uploads (limit, sniffing, checksum), metadata rows in D1,
 * listing with filters, and deletion. Extraction is queued here and done by
 * ../documents. Every query filters by the owner; another user's id is "not found".
 */
import { and, eq, gte, lte, type SQL } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { containsText, startsWithText } from "../../db/like";
import { chatSessions, type ExtractionStatus, files } from "../../db/schema";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import { getConfig } from "../config/service";
import { isExtractable } from "../documents/model";
import { enqueueExtraction } from "../documents/queue";
import { increment } from "../observability/collector";
import { putChunked } from "./chunked-upload";
import { isAllowedType, SNIFF_BYTES, sniff } from "./sniff";
import { fileKey, peekHead, putBytes, putStream, type Stored, tooLargeError } from "./storage";

export type FileRow = typeof files.$inferSelect;

export type UploadInput = {
  filename: string;
  declaredType: string;
  /** Either the whole file, or a stream (with its length when the client announced one). */
  body: Uint8Array | ReadableStream<Uint8Array>;
  length?: number | undefined;
  sessionId?: string | undefined;
  taskId?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Index the text into the knowledge base once extracted. */
  index?: boolean | undefined;
};

async function checkSession(db: Db, userId: string, sessionId: string | undefined) {
  if (!sessionId) return;
  const row = await db.query.chatSessions.findFirst({
    where: and(eq(chatSessions.id, sessionId), eq(chatSessions.userId, userId)),
    columns: { id: true },
  });
  if (!row) throw new AppError(404, "session_not_found", "Chat session not found");
}

/** The stored content type of an upload from its first bytes; throws 400/415 for ones we refuse. */
function acceptedType(head: Uint8Array, input: UploadInput, allowed: readonly string[]): string {
  if (head.byteLength === 0) throw new AppError(400, "empty_file", "The file is empty");
  const sniffed = sniff(head, input.filename, input.declaredType);
  if (!sniffed.ok) throw new AppError(415, "unsupported_media_type", sniffed.reason);
  if (!isAllowedType(sniffed.contentType, allowed)) {
    throw new AppError(415, "unsupported_media_type", `Files of type ${sniffed.contentType} are not accepted`, {
      content_type: sniffed.contentType,
      allowed_types: allowed,
    });
  }
  return sniffed.contentType;
}

/**
 * Sniffs, then stores the bytes, by the cheapest path the input allows: bytes in
 * memory in one put; a stream of announced length piped natively; a stream of
 * unknown length part by part (./chunked-upload.ts). Returns the type and what was stored.
 */
async function storeBytes(env: Env, key: string, input: UploadInput, maxBytes: number, allowed: readonly string[]) {
  const typeOf = (head: Uint8Array) => acceptedType(head, input, allowed);
  if (input.body instanceof Uint8Array) {
    if (input.body.byteLength > maxBytes) throw tooLargeError(maxBytes);
    const contentType = typeOf(input.body.subarray(0, SNIFF_BYTES));
    return { contentType, stored: await putBytes(env.FILES, key, input.body, contentType) };
  }
  if (input.length === undefined) {
    const { contentType, ...stored } = await putChunked(env.FILES, key, input.body, { maxBytes, typeOf });
    return { contentType, stored };
  }
  if (input.length > maxBytes) throw tooLargeError(maxBytes);
  const { head, rest } = await peekHead(input.body, Math.min(SNIFF_BYTES, input.length));
  let contentType: string;
  try {
    contentType = typeOf(head);
  } catch (error) {
    await rest.cancel();
    throw error;
  }
  const stored: Stored = await putStream(env.FILES, key, rest, input.length, contentType);
  return { contentType, stored };
}

export async function uploadFile(env: Env, principal: Principal, input: UploadInput, meta: RequestMeta) {
  const db = getDb(env);
  const limits = await getConfig(env, "file_limits");
  await checkSession(db, principal.userId, input.sessionId);
  const id = newId();
  const key = fileKey(principal.userId, id);
  const { contentType, stored } = await storeBytes(env, key, input, limits.max_upload_bytes, limits.allowed_types);
  const now = Date.now();
  const row: FileRow = {
    id,
    userId: principal.userId,
    filename: input.filename,
    contentType,
    size: stored.size,
    storagePath: key,
    sha256: stored.sha256,
    metadata: input.metadata ?? {},
    sessionId: input.sessionId ?? null,
    taskId: input.taskId ?? null,
    extractionStatus: isExtractable(contentType) ? "pending" : "unsupported",
    extractionError: null,
    extractedAt: null,
    indexedAt: null,
    createdAt: now,
    updatedAt: now,
    accessedAt: null,
  };
  try {
    await db.batch([
      db.insert(files).values(row),
      auditInsert(db, meta, actorOf(principal), {
        ownerId: principal.userId,
        action: "file.upload",
        resourceType: "file",
        resourceId: id,
        newValues: { filename: row.filename, content_type: contentType, size: row.size, sha256: row.sha256 },
      }),
    ]);
  } catch (error) {
    await env.FILES.delete(key);
    throw error;
  }
  increment("file_uploads_total", { family: contentType.split("/")[0] ?? "other" });
  increment("file_upload_bytes_total", {}, row.size);
  if (row.extractionStatus === "pending")
    await enqueueExtraction(env, { userId: row.userId, fileId: id, index: input.index ?? false });
  return row;
}

/** Stores bytes the platform made itself (a conversion), as a new file of the same owner. */
export async function storeGeneratedFile(
  env: Env,
  principal: Principal,
  input: { filename: string; contentType: string; bytes: Uint8Array; metadata: Record<string, unknown> },
  meta: RequestMeta,
) {
  return uploadFile(
    env,
    principal,
    { filename: input.filename, declaredType: input.contentType, body: input.bytes, metadata: input.metadata },
    meta,
  );
}

export async function getOwnFile(db: Db, userId: string, id: string): Promise<FileRow> {
  const row = await db.query.files.findFirst({ where: and(eq(files.id, id), eq(files.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "File not found");
  return row;
}

export type FileListQuery = {
  limit: number;
  cursor?: string | undefined;
  contentType?: string | undefined;
  q?: string | undefined;
  sessionId?: string | undefined;
  status?: ExtractionStatus | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
};

export async function listFiles(db: Db, userId: string, query: FileListQuery) {
  const page = keyset(files, query.cursor);
  const filters: Array<SQL | undefined> = [
    eq(files.userId, userId),
    query.contentType?.endsWith("/*")
      ? startsWithText(files.contentType, query.contentType.slice(0, -1))
      : query.contentType
        ? eq(files.contentType, query.contentType)
        : undefined,
    query.q ? containsText(files.filename, query.q) : undefined,
    query.sessionId ? eq(files.sessionId, query.sessionId) : undefined,
    query.status ? eq(files.extractionStatus, query.status) : undefined,
    query.createdAfter ? gte(files.createdAt, Date.parse(query.createdAfter)) : undefined,
    query.createdBefore ? lte(files.createdAt, Date.parse(query.createdBefore)) : undefined,
    page.where,
  ];
  const rows = await db
    .select()
    .from(files)
    .where(and(...filters))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row);
}

export async function deleteFileRow(db: Db, principal: Principal, row: FileRow, meta: RequestMeta) {
  await db.batch([
    db.delete(files).where(and(eq(files.id, row.id), eq(files.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "file.delete",
      resourceType: "file",
      resourceId: row.id,
      oldValues: { filename: row.filename, content_type: row.contentType, size: row.size, sha256: row.sha256 },
    }),
  ]);
}

const TOUCH_EVERY_MS = 60_000;

/** Records a read at most once a minute per file. */
export async function touchFile(db: Db, row: FileRow) {
  const now = Date.now();
  if (row.accessedAt && now - row.accessedAt < TOUCH_EVERY_MS) return;
  await db.update(files).set({ accessedAt: now }).where(eq(files.id, row.id));
}
