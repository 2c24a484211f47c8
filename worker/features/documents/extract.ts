/**
 * Extraction entry point: picks the reader for a content type. Text formats are
 * decoded as UTF-8 (a file that is not valid UTF-8 is corrupt for them).
 */
import { extractDocx } from "./docx";
import { extractHtml } from "./html";
import type { DocumentLimits } from "./limits";
import { DocumentError, type DocumentKind, documentKind, type ExtractedDocument } from "./model";
import { extractPdf } from "./pdf";
import { extractCsv, extractJson, extractMarkdown, extractPlain } from "./text-formats";
import { extractXlsx } from "./xlsx";

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DocumentError("corrupt_document", "This text file is not valid UTF-8");
  }
}

type Reader = (bytes: Uint8Array, limits: DocumentLimits) => ExtractedDocument | Promise<ExtractedDocument>;

const READERS: Record<DocumentKind, Reader> = {
  pdf: extractPdf,
  docx: extractDocx,
  xlsx: extractXlsx,
  csv: (bytes) => extractCsv(decodeText(bytes)),
  json: (bytes) => extractJson(decodeText(bytes)),
  markdown: (bytes) => extractMarkdown(decodeText(bytes)),
  html: (bytes) => extractHtml(decodeText(bytes)),
  text: (bytes) => extractPlain(decodeText(bytes)),
};

/** Extracts a document; throws DocumentError for unreadable ones and for types without a reader. */
export async function extractDocument(
  bytes: Uint8Array,
  contentType: string,
  limits: DocumentLimits,
): Promise<ExtractedDocument> {
  const kind = documentKind(contentType);
  if (!kind) throw new DocumentError("corrupt_document", `Files of type ${contentType} have no text to extract`);
  return READERS[kind](bytes, limits);
}
