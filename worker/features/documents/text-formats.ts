/**
 * Readers of the text formats: CSV/TSV (papaparse), JSON, Markdown (marked's
 * lexer: headings, paragraphs, lists, tables) and plain text.
 */
import { marked, type Token, type Tokens } from "marked";
import Papa from "papaparse";
import { type Cell, DocumentError, type ExtractedDocument, SectionBuilder, type Table } from "./model";

function typedCell(value: string): Cell {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === "true";
  return value;
}

/** Rows of a CSV/TSV text, delimiter detected. */
export function parseCsv(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: "greedy" });
  return parsed.data;
}

export function rowsToTable(rows: string[][], name: string): Table {
  const [header = [], ...rest] = rows;
  const columns = header.map((cell, i) => cell.trim() || `column ${i + 1}`);
  return { name, columns, rows: rest.map((row) => columns.map((_, i) => typedCell(row[i] ?? ""))) };
}

const rowLine = (columns: string[], row: Cell[]) =>
  columns
    .map((column, i) => `${column}: ${row[i] ?? ""}`)
    .join("; ")
    .trim();

export function extractCsv(text: string): ExtractedDocument {
  const table = rowsToTable(parseCsv(text), "table 1");
  const body = table.rows.map((row) => rowLine(table.columns, row)).join("\n");
  return {
    kind: "csv",
    text: body,
    sections: body ? [{ kind: "section", index: 1, text: body }] : [],
    headings: [],
    tables: table.columns.length ? [table] : [],
    metadata: { rows: table.rows.length, columns: table.columns },
  };
}

/** `path: value` lines for every leaf of a JSON value. */
function flatten(value: unknown, path: string, lines: string[]) {
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) flatten(child, path ? `${path}.${key}` : key, lines);
  } else lines.push(path ? `${path}: ${String(value)}` : String(value));
}

function jsonTable(value: unknown): Table | undefined {
  if (
    !Array.isArray(value) ||
    !value.length ||
    !value.every((row) => row && typeof row === "object" && !Array.isArray(row))
  )
    return undefined;
  const columns = [...new Set(value.flatMap((row) => Object.keys(row as object)))];
  const cell = (v: unknown): Cell =>
    v === undefined || v === null ? null : typeof v === "object" ? JSON.stringify(v) : (v as Cell);
  return {
    name: "table 1",
    columns,
    rows: value.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c]))),
  };
}

export function extractJson(text: string): ExtractedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new DocumentError("corrupt_document", `This JSON file is not valid JSON (${(error as Error).message})`);
  }
  const lines: string[] = [];
  flatten(value, "", lines);
  const body = lines.join("\n");
  const table = jsonTable(value);
  return {
    kind: "json",
    text: body,
    sections: body ? [{ kind: "section", index: 1, text: body }] : [],
    headings: [],
    tables: table ? [table] : [],
    metadata: { top_level: Array.isArray(value) ? "array" : typeof value },
  };
}

/** Inline Markdown without its markup: links keep their text, emphasis and code lose their marks. */
export function plainInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|\*|_|`|~~)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/<[^>]+>/g, "");
}

function markdownToken(token: Token, builder: SectionBuilder, tables: Table[]) {
  switch (token.type) {
    case "heading":
      builder.heading((token as Tokens.Heading).depth, plainInline((token as Tokens.Heading).text));
      return;
    case "table": {
      const t = token as Tokens.Table;
      const rows = [
        t.header.map((cell) => plainInline(cell.text)),
        ...t.rows.map((row) => row.map((cell) => plainInline(cell.text))),
      ];
      tables.push(rowsToTable(rows, `table ${tables.length + 1}`));
      for (const row of rows) builder.line(row.join("\t"));
      return;
    }
    case "list":
      for (const item of (token as Tokens.List).items) builder.line(`- ${plainInline(item.text)}`);
      return;
    case "code":
      builder.line((token as Tokens.Code).text);
      return;
    case "space":
    case "hr":
      return;
    default:
      if ("text" in token && typeof token.text === "string") builder.line(plainInline(token.text));
  }
}

export function extractMarkdown(text: string): ExtractedDocument {
  const builder = new SectionBuilder();
  const tables: Table[] = [];
  for (const token of marked.lexer(text)) markdownToken(token, builder, tables);
  const body = builder.text();
  return { kind: "markdown", text: body, sections: builder.sections, headings: builder.headings, tables, metadata: {} };
}

export function extractPlain(text: string): ExtractedDocument {
  const body = text.replace(/^\uFEFF/, "").trim();
  return {
    kind: "text",
    text: body,
    sections: body ? [{ kind: "section", index: 1, text: body }] : [],
    headings: [],
    tables: [],
    metadata: { lines: body ? body.split("\n").length : 0 },
  };
}
