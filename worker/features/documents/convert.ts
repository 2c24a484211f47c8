/**
 * Conversions between formats: XLSX ↔ CSV/JSON, CSV ↔ JSON, DOCX → Markdown/HTML,
 * and Markdown/HTML/DOCX → PDF through Browser Rendering. Each produces the
 * bytes of a new file; the route stores it beside the source.
 */

import { z } from "@hono/zod-openapi";
import Papa from "papaparse";
import { AppError } from "../../errors";
import { getConfig } from "../config/service";
import { XLSX } from "../files/sniff";
import { readDocx } from "./docx";
import type { DocumentLimits } from "./limits";
import { type Cell, type DocumentKind, documentKind, type Table } from "./model";
import { printPdf } from "./pdf-printer";
import { docxToHtml, docxToMarkdown, markdownToHtml } from "./render";
import { extractJson, parseCsv, rowsToTable } from "./text-formats";
import { readXlsx, sheetTable } from "./xlsx";
import { writeXlsx } from "./xlsx-writer";

export const CONVERSION_TARGETS = ["csv", "json", "xlsx", "markdown", "html", "pdf"] as const;
export type ConversionTarget = (typeof CONVERSION_TARGETS)[number];

export const ConvertBody = z
  .object({
    to: z.enum(CONVERSION_TARGETS),
    sheet: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "For XLSX → CSV/JSON: one sheet (CSV: the first if omitted)" }),
    filename: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .openapi({ description: "Name of the new file (derived from the source's if omitted)" }),
  })
  .strict()
  .openapi("ConvertRequest");

export const CONVERSIONS: Partial<Record<DocumentKind, readonly ConversionTarget[]>> = {
  xlsx: ["csv", "json"],
  csv: ["json", "xlsx"],
  json: ["csv", "xlsx"],
  docx: ["markdown", "html", "pdf"],
  markdown: ["html", "pdf"],
  html: ["pdf"],
};

const OUTPUT: Record<ConversionTarget, { contentType: string; extension: string }> = {
  csv: { contentType: "text/csv", extension: "csv" },
  json: { contentType: "application/json", extension: "json" },
  xlsx: { contentType: XLSX, extension: "xlsx" },
  markdown: { contentType: "text/markdown", extension: "md" },
  html: { contentType: "text/html", extension: "html" },
  pdf: { contentType: "application/pdf", extension: "pdf" },
};

export type Converted = { bytes: Uint8Array; contentType: string; filename: string };

const utf8 = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const objects = (table: Table) =>
  table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column, row[i] ?? null])));
const toCsv = (table: Table) =>
  Papa.unparse({ fields: table.columns, data: table.rows.map((row) => row.map((c) => c ?? "")) });

function jsonTable(bytes: Uint8Array): Table {
  const table = extractJson(decode(bytes)).tables[0];
  if (!table) throw new AppError(422, "not_tabular", "Only a JSON array of objects converts to a table");
  return table;
}

function xlsxTables(bytes: Uint8Array, sheet: string | undefined, limits: DocumentLimits): Table[] {
  const tables = readXlsx(bytes, limits).map(sheetTable);
  if (!sheet) return tables;
  const one = tables.find((table) => table.name === sheet);
  if (!one)
    throw new AppError(404, "sheet_not_found", `No sheet named "${sheet}"`, { sheets: tables.map((t) => t.name) });
  return [one];
}

async function produce(
  env: Env,
  kind: DocumentKind,
  to: ConversionTarget,
  bytes: Uint8Array,
  sheet: string | undefined,
  title: string,
  limits: DocumentLimits,
) {
  const table = (rows: Cell[][], name: string) => ({ name, rows });
  switch (`${kind}>${to}`) {
    case "xlsx>csv":
      return utf8(toCsv(xlsxTables(bytes, sheet, limits)[0]!));
    case "xlsx>json": {
      const tables = xlsxTables(bytes, sheet, limits);
      const value = sheet ? objects(tables[0]!) : Object.fromEntries(tables.map((t) => [t.name, objects(t)]));
      return utf8(JSON.stringify(value, null, 2));
    }
    case "csv>json":
      return utf8(JSON.stringify(objects(rowsToTable(parseCsv(decode(bytes)), "table")), null, 2));
    case "csv>xlsx": {
      const parsed = rowsToTable(parseCsv(decode(bytes)), "Sheet1");
      return writeXlsx([table([parsed.columns, ...parsed.rows], "Sheet1")]);
    }
    case "json>csv":
      return utf8(toCsv(jsonTable(bytes)));
    case "json>xlsx": {
      const parsed = jsonTable(bytes);
      return writeXlsx([table([parsed.columns, ...parsed.rows], "Sheet1")]);
    }
    case "docx>markdown":
      return utf8(docxToMarkdown(readDocx(bytes, limits)));
    case "docx>html":
      return utf8(docxToHtml(readDocx(bytes, limits), title));
    case "docx>pdf":
      return printPdf(env, docxToHtml(readDocx(bytes, limits), title));
    case "markdown>html":
      return utf8(markdownToHtml(decode(bytes), title));
    case "markdown>pdf":
      return printPdf(env, markdownToHtml(decode(bytes), title));
    case "html>pdf":
      return printPdf(env, decode(bytes));
    default:
      throw new Error(`no converter for ${kind} → ${to}`);
  }
}

export async function convertDocument(
  env: Env,
  source: { filename: string; contentType: string; bytes: Uint8Array },
  request: z.infer<typeof ConvertBody>,
): Promise<Converted> {
  const kind = documentKind(source.contentType);
  const supported = (kind && CONVERSIONS[kind]) || [];
  if (!kind || !supported.includes(request.to)) {
    throw new AppError(
      422,
      "unsupported_conversion",
      `Files of type ${source.contentType} do not convert to ${request.to}`,
      {
        supported,
      },
    );
  }
  const stem = source.filename.replace(/\.[^.]+$/, "") || source.filename;
  const output = OUTPUT[request.to];
  const limits = await getConfig(env, "document_limits");
  const bytes = await produce(env, kind, request.to, source.bytes, request.sheet, stem, limits);
  const sheetPart = request.sheet ? `-${request.sheet.replace(/[^\w-]+/g, "_")}` : "";
  return {
    bytes,
    contentType: output.contentType,
    filename: request.filename ?? `${stem}${sheetPart}.${output.extension}`,
  };
}
