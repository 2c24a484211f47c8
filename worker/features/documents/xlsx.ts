/**
 * XLSX reader: sheets in workbook order with their names, cells typed (shared and
 * inline strings, numbers, booleans, dates by number format, cached formula
 * results). `readXlsx` gives the sheets as rows (used by the conversions and the
 * table tool); `extractXlsx` the common ExtractedDocument, one section per sheet.
 */
import { childElements, type DomElement, descendants, firstChild, parseXml, textOf } from "./dom";
import type { Cell, ExtractedDocument, Section, Table } from "./model";
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

type Context = { strings: string[]; dates: boolean[]; date1904: boolean };

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

function sheetRows(xml: string, ctx: Context): Cell[][] {
  const rows: Cell[][] = [];
  for (const row of descendants(parseXml(xml), "row")) {
    const index = Number(row.attribs.r ?? rows.length + 1) - 1;
    const cells: Cell[] = [];
    for (const c of childElements(row, "c")) {
      const col = c.attribs.r ? columnIndex(c.attribs.r) : cells.length;
      cells[col] = cellValue(c, ctx);
    }
    rows[index] = Array.from(cells, (cell) => cell ?? null);
  }
  const width = Math.max(0, ...rows.map((row) => row?.length ?? 0));
  return Array.from(rows, (row) => Array.from({ length: width }, (_, i) => row?.[i] ?? null));
}

export function readXlsx(bytes: Uint8Array): Sheet[] {
  const pkg = openPackage(bytes, WHAT);
  const workbook = parseXml(requirePart(pkg, "xl/workbook.xml", WHAT));
  const rels = parseXml(pkg.part("xl/_rels/workbook.xml.rels") ?? "<Relationships/>");
  const targets = new Map(descendants(rels, "Relationship").map((rel) => [rel.attribs.Id, rel.attribs.Target ?? ""]));
  const ctx: Context = {
    strings: sharedStrings(pkg.part("xl/sharedStrings.xml")),
    dates: dateStyles(pkg.part("xl/styles.xml")),
    date1904: descendants(workbook, "workbookPr").some((pr) => ["1", "true"].includes(pr.attribs.date1904 ?? "")),
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

export function extractXlsx(bytes: Uint8Array): ExtractedDocument {
  const sheets = readXlsx(bytes);
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
