/**
 * What extraction produces for every format: the plain text, the document's
 * structure (pages, sheets, sections under headings), its headings and its
 * tables. Stored as JSON in R2 beside the file and read by the tools, the
 * console's preview, conversions and the knowledge indexer (citations come from
 * `sections`).
 */
import { z } from "@hono/zod-openapi";
import { DOCX, XLSX } from "../files/sniff";

export const DOCUMENT_KINDS = ["pdf", "docx", "xlsx", "csv", "json", "markdown", "html", "text"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const KIND_BY_TYPE: Record<string, DocumentKind> = {
  "application/pdf": "pdf",
  [DOCX]: "docx",
  [XLSX]: "xlsx",
  "text/csv": "csv",
  "text/tab-separated-values": "csv",
  "application/json": "json",
  "text/markdown": "markdown",
  "text/html": "html",
  "text/plain": "text",
};

export function documentKind(contentType: string): DocumentKind | undefined {
  return KIND_BY_TYPE[contentType];
}

export const CellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof CellSchema>;

export const TableSchema = z
  .object({
    name: z.string().openapi({ description: "Sheet name, or `table N`" }),
    sheet: z.string().optional(),
    page: z.number().int().optional(),
    columns: z.array(z.string()),
    rows: z.array(z.array(CellSchema)),
  })
  .openapi("ExtractedTable");
export type Table = z.infer<typeof TableSchema>;

export const SectionSchema = z
  .object({
    kind: z.enum(["page", "sheet", "section"]),
    /** 1-based page number, sheet position or section order. */
    index: z.number().int(),
    title: z.string().optional().openapi({ description: "The sheet's name, or the heading the section sits under" }),
    text: z.string(),
  })
  .openapi("ExtractedSection");
export type Section = z.infer<typeof SectionSchema>;

export const HeadingSchema = z.object({ level: z.number().int().min(1).max(6), text: z.string() });
export type Heading = z.infer<typeof HeadingSchema>;

export const ExtractedDocumentSchema = z
  .object({
    kind: z.enum(DOCUMENT_KINDS),
    text: z.string(),
    sections: z.array(SectionSchema),
    headings: z.array(HeadingSchema),
    tables: z.array(TableSchema),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi("ExtractedDocument");
export type ExtractedDocument = z.infer<typeof ExtractedDocumentSchema>;

/** A document we cannot read: corrupt, encrypted, or too large. Surfaces as 422 with its code. */
export class DocumentError extends Error {
  constructor(
    readonly code: "corrupt_document" | "encrypted_document" | "document_too_large",
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DocumentError";
  }
}

/** A document past one of the `document_limits` caps: 422 `document_too_large` naming the limit. */
export function tooLarge(limit: string, max: number, actual: number, part?: string): DocumentError {
  const where = part ? ` (${part})` : "";
  return new DocumentError(
    "document_too_large",
    `This document is too large to read: ${limit} is ${max}, it needs at least ${actual}${where}`,
    { limit, max, actual, ...(part ? { part } : {}) },
  );
}

/** Sections split under headings (Markdown, HTML, DOCX): each heading starts a section. */
export class SectionBuilder {
  readonly sections: Section[] = [];
  readonly headings: Heading[] = [];
  #title: string | undefined;
  #lines: string[] = [];

  heading(level: number, text: string) {
    this.flush();
    this.headings.push({ level, text });
    this.#title = text;
    this.#lines.push(text);
  }

  line(text: string) {
    if (text.trim()) this.#lines.push(text);
  }

  flush() {
    const text = this.#lines.join("\n").trim();
    if (text) {
      const section: Section = { kind: "section", index: this.sections.length + 1, text };
      if (this.#title) section.title = this.#title;
      this.sections.push(section);
    }
    this.#lines = [];
  }

  text() {
    this.flush();
    return this.sections.map((section) => section.text).join("\n\n");
  }
}

export const isExtractable = (contentType: string) => documentKind(contentType) !== undefined;
