/**
 * Running extraction for a stored file and reading its result. The queue
 * consumer (./jobs.ts) runs it after upload; reads of a file still pending run
 * it on the spot. The result is kept in R2 beside the file; the row records the
 * outcome, so a corrupt or encrypted document answers 422 with its reason while
 * the file itself stays stored and downloadable.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { files } from "../../db/schema";
import { AppError } from "../../errors";
import { getConfig } from "../config/service";
import type { FileRow } from "../files/service";
import { extractedKey } from "../files/storage";
import { increment } from "../observability/collector";
import { extractDocument } from "./extract";
import { DocumentError, documentKind, type ExtractedDocument, isExtractable } from "./model";

function unprocessable(code: string, message: string, details?: Record<string, unknown>) {
  return new AppError(422, code, message, details);
}

export async function readOriginal(env: Env, row: FileRow): Promise<Uint8Array> {
  const object = await env.FILES.get(row.storagePath);
  if (!object) throw new AppError(404, "not_found", "The file's content is missing");
  return new Uint8Array(await object.arrayBuffer());
}

/** Extracts now, stores the result and the outcome; throws 422 for unreadable documents. */
export async function runExtraction(env: Env, row: FileRow): Promise<ExtractedDocument> {
  if (!isExtractable(row.contentType)) {
    throw unprocessable("no_text", `Files of type ${row.contentType} have no text to extract`);
  }
  const db = getDb(env);
  const limits = await getConfig(env, "file_limits");
  const where = and(eq(files.id, row.id), eq(files.userId, row.userId));
  try {
    if (row.size > limits.max_extract_bytes) {
      throw new DocumentError(
        "document_too_large",
        `The file is larger than the ${limits.max_extract_bytes} bytes extraction reads`,
      );
    }
    const documentLimits = await getConfig(env, "document_limits");
    const document = await extractDocument(await readOriginal(env, row), row.contentType, documentLimits);
    increment("file_extractions_total", { format: document.kind, outcome: "done" });
    await env.FILES.put(extractedKey(row.userId, row.id), JSON.stringify(document), {
      httpMetadata: { contentType: "application/json" },
    });
    const now = Date.now();
    await db
      .update(files)
      .set({ extractionStatus: "done", extractionError: null, extractedAt: now, updatedAt: now })
      .where(where);
    return document;
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    const failure = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    increment("file_extractions_total", { format: documentKind(row.contentType) ?? "other", outcome: error.code });
    await db
      .update(files)
      .set({ extractionStatus: "failed", extractionError: failure, extractedAt: Date.now(), updatedAt: Date.now() })
      .where(where);
    throw unprocessable(failure.code, failure.message, failure.details);
  }
}

/** The extracted document: stored, or extracted now if still pending; 422 if it cannot be. */
export async function getExtraction(env: Env, row: FileRow): Promise<ExtractedDocument> {
  if (row.extractionStatus === "failed" && row.extractionError) {
    const { code, message, details } = row.extractionError;
    throw unprocessable(code, message, details);
  }
  if (row.extractionStatus === "done") {
    const stored = await env.FILES.get(extractedKey(row.userId, row.id));
    if (stored) return (await stored.json()) as ExtractedDocument;
  }
  return runExtraction(env, row);
}
