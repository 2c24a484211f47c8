/**
 * XLSX reader: sheets in workbook order with their names, cells typed (shared and
 * inline strings, numbers, booleans, dates by number format, cached formula
 * results). `readXlsx` gives the sheets as rows (used by the conversions and the
 * table tool); `extractXlsx` the common ExtractedDocument, one section per sheet.
 */
import { childElements, type DomElement, descendants, firstChild, parseXml, textOf } from "./dom";
import type { DocumentLimits } from "./limits";
import { type Cell, type ExtractedDocument, type Section, type Table, tooLarge } from "./model";
import { openPackage, requirePart } from "./ooxml";

export type Sheet = { name: string; rows: Cell[][] };

const WHAT = "Excel workbook";
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

function columnIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)?.[0] ?? "A";
  return [...letters].reduce((sum, char) => sum * 26 + char.charCodeAt(0) - 64, 0) - 1;
}

function sharedStrings(xml: string | undefined): string[] {
  if (!xml) return [];
  return childElements(descendants(parseXml(xml), "sst")[0] ?? { children: [] }, "si").map((si) =>
    descendants(si, "t")
      .filter((t) => t.parent && (t.parent as DomElement).name !== "rPh")
      .map(textOf)
      .join(""),
  );
}

/** For each cell style index: whether its number format is a date. */
function dateStyles(xml: string | undefined): boolean[] {
  if (!xml) return [];
  const doc = parseXml(xml);
  const custom = new Map<number, string>(
    descendants(doc, "numFmt").map((fmt) => [Number(fmt.attribs.numFmtId), fmt.attribs.formatCode ?? ""]),
  );
  const isDateCode = (code: string) => /[dmyhs]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ""));
  const cellXfs = descendants(doc, "cellXfs")[0];
  return childElements(cellXfs ?? { children: [] }, "xf").map((xf) => {
    const id = Number(xf.attribs.numFmtId ?? 0);
    return BUILTIN_DATE_FORMATS.has(id) || isDateCode(custom.get(id) ?? "");
  });
}

function serialToIso(serial: number, date1904: boolean): string {
  const ms = Math.round((serial - (date1904 ? 24107 : 25569)) * 86_400_000);
  const iso = new Date(ms).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

type Context = { strings: string[]; dates: boolean[]; date1904: boolean; limits: DocumentLimits; cells: number };

function cellValue(c: DomElement, ctx: Context): Cell {
  const type = c.attribs.t ?? "n";
  const textIn = (name: string) => {
    const el = firstChild(c, name);
    return el ? textOf(el) : "";
  };
  const raw = textIn("v");
  if (type === "inlineStr") return textIn("is");
  if (type === "s") return ctx.strings[Number(raw)] ?? "";
  if (type === "b") return raw === "1";
  if (type === "str" || type === "e") return raw;
  if (raw === "") return null;
  const number = Number(raw);
  if (Number.isNaN(number)) return raw;
  return ctx.dates[Number(c.attribs.s ?? 0)] ? serialToIso(number, ctx.date1904) : number;
}

/**
 * Cells are collected sparsely (row → column → value). The sheet's extent (last row ×
 * last column holding a cell) must be within `max_sheet_extent` — one cell at
 * XFD1048576 declares 17 billion — and the grid is then built for the header row and
 * the rows that hold cells only: empty rows show nothing (text and tables drop them).
 */
function sheetRows(xml: string, ctx: Context): Cell[][] {
  const sparse = new Map<number, Map<number, Cell>>();
  let width = 0;
  let height = 0;
  let position = 0;
  for (const row of descendants(parseXml(xml), "row")) {
    const index = Number(row.attribs.r ?? position + 1) - 1;
    position = index + 1;
    const cells = new Map<number, Cell>();
    let next = 0;
    for (const c of childElements(row, "c")) {
      const col = c.attribs.r ? columnIndex(c.attribs.r) : next;
      next = Math.max(next, col + 1);
      cells.set(col, cellValue(c, ctx));
      ctx.cells++;
      if (ctx.cells > ctx.limits.max_cells) throw tooLarge("max_cells", ctx.limits.max_cells, ctx.cells);
      width = Math.max(width, col + 1);
    }
    if (!cells.size || !Number.isSafeInteger(index) || index < 0) continue;
    sparse.set(index, cells);
    height = Math.max(height, index + 1);
  }
  if (width === 0) return [];
  const extent = height * width;
  if (extent > ctx.limits.max_sheet_extent) throw tooLarge("max_sheet_extent", ctx.limits.max_sheet_extent, extent);
  const indices = [...new Set([0, ...sparse.keys()])].sort((a, b) => a - b);
  return indices.map((r) => {
    const cells = sparse.get(r);
    return Array.from({ length: width }, (_, i) => cells?.get(i) ?? null);
  });
}

export function readXlsx(bytes: Uint8Array, limits: DocumentLimits): Sheet[] {
  const pkg = openPackage(bytes, WHAT, limits);
  const workbook = parseXml(requirePart(pkg, "xl/workbook.xml", WHAT));
  const rels = parseXml(pkg.part("xl/_rels/workbook.xml.rels") ?? "<Relationships/>");
  const targets = new Map(descendants(rels, "Relationship").map((rel) => [rel.attribs.Id, rel.attribs.Target ?? ""]));
  const ctx: Context = {
    strings: sharedStrings(pkg.part("xl/sharedStrings.xml")),
    dates: dateStyles(pkg.part("xl/styles.xml")),
    date1904: descendants(workbook, "workbookPr").some((pr) => ["1", "true"].includes(pr.attribs.date1904 ?? "")),
    limits,
    cells: 0,
  };
  return descendants(workbook, "sheet").map((sheet) => {
    const target = targets.get(sheet.attribs["r:id"]) ?? "";
    const path = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
    return { name: sheet.attribs.name ?? "Sheet", rows: sheetRows(requirePart(pkg, path, WHAT), ctx) };
  });
}

export function sheetTable(sheet: Sheet): Table {
  const [header = [], ...rest] = sheet.rows;
  const columns = header.map((cell, i) => (cell === null || cell === "" ? `column ${i + 1}` : String(cell)));
  return {
    name: sheet.name,
    sheet: sheet.name,
    columns,
    rows: rest.filter((row) => row.some((cell) => cell !== null)),
  };
}

const cellText = (cell: Cell) => (cell === null ? "" : String(cell));

export function extractXlsx(bytes: Uint8Array, limits: DocumentLimits): ExtractedDocument {
  const sheets = readXlsx(bytes, limits);
  const tables = sheets.map(sheetTable);
  const sections: Section[] = sheets.map((sheet, i) => ({
    kind: "sheet",
    index: i + 1,
    title: sheet.name,
    text: sheet.rows
      .map((row) => row.map(cellText).join("\t").trimEnd())
      .filter(Boolean)
      .join("\n"),
  }));
  return {
    kind: "xlsx",
    text: sections.map((section) => `# ${section.title}\n${section.text}`).join("\n\n"),
    sections,
    headings: [],
    tables,
    metadata: { sheets: sheets.map((sheet) => sheet.name) },
  };
}
