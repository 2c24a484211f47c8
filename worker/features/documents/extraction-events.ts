/**
 * Tells the owner's live hub how a background extraction ended (`file.extracted`
 * or `file.extraction_failed`, also on topic `file:<id>`), so the console can
 * update a file's row without polling. Called by the file-jobs consumer (./jobs.ts).
 */
import type { AppError } from "../../errors";
import { publishEvent } from "../events/publish";
import type { FileRow } from "../files/service";
import type { ExtractedDocument } from "./model";

const fileTopics = (row: FileRow) => [`file:${row.id}`];

/** From the reader's metadata where it says (PDF page count, XLSX sheet names), else from the sections. */
function countOf(document: ExtractedDocument, kind: "page" | "sheet") {
  const said = kind === "page" ? document.metadata.pages : document.metadata.sheets;
  if (typeof said === "number") return said;
  if (Array.isArray(said)) return said.length;
  return document.sections.filter((section) => section.kind === kind).length;
}

/** The row already says it all; a hub that cannot be reached must not make the job extract again. */
async function publishQuietly(run: () => Promise<unknown>, type: string) {
  try {
    await run();
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "extraction event not published", type, error: String(error) }),
    );
  }
}

export function announceExtracted(env: Env, row: FileRow, document: ExtractedDocument) {
  const data = {
    file_id: row.id,
    filename: row.filename,
    status: "done" as const,
    kind: document.kind,
    pages: document.kind === "pdf" ? countOf(document, "page") : null,
    sheets: document.kind === "xlsx" ? countOf(document, "sheet") : null,
    sections: document.sections.length,
    tables: document.tables.length,
  };
  return publishQuietly(() => publishEvent(env, row.userId, "file.extracted", data, fileTopics(row)), "file.extracted");
}

export function announceFailed(env: Env, row: FileRow, error: AppError) {
  const data = {
    file_id: row.id,
    filename: row.filename,
    status: "failed" as const,
    code: error.code,
    message: error.message,
  };
  return publishQuietly(
    () => publishEvent(env, row.userId, "file.extraction_failed", data, fileTopics(row)),
    "file.extraction_failed",
  );
}
