/**
 * DOCX reader: word/document.xml's paragraphs (headings recognised by their style,
 * looked up in word/styles.xml, or by outline level), runs with bold/italic, and
 * tables, in document order. `readDocx` gives the blocks (used by the DOCX →
 * Markdown/HTML conversions); `extractDocx` the common ExtractedDocument.
 */
import { childElements, type DomElement, descendants, firstChild, parseXml } from "./dom";
import type { DocumentLimits } from "./limits";
import { type ExtractedDocument, SectionBuilder, type Table } from "./model";
import { openPackage, requirePart } from "./ooxml";

export type Run = { text: string; bold: boolean; italic: boolean };
export type DocxBlock =
  | { type: "heading"; level: number; text: string }
  | { type: "paragraph"; runs: Run[]; list: boolean }
  | { type: "table"; rows: string[][] };

const attr = (el: DomElement | undefined, name: string) => el?.attribs[`w:${name}`];

/** styleId → heading level, from the style names ("heading 2", "Title"). */
function headingStyles(stylesXml: string | undefined): Map<string, number> {
  const levels = new Map<string, number>();
  if (!stylesXml) return levels;
  for (const style of descendants(parseXml(stylesXml), "w:style")) {
    const id = attr(style, "styleId");
    const name = attr(firstChild(style, "w:name"), "val")?.toLowerCase() ?? "";
    const level = name === "title" ? 1 : Number(/^heading (\d)$/.exec(name)?.[1] ?? 0);
    if (id && level) levels.set(id, Math.min(level, 6));
  }
  return levels;
}

function runsOf(paragraph: DomElement): Run[] {
  const runs: Run[] = [];
  for (const run of descendants(paragraph, "w:r")) {
    const props = firstChild(run, "w:rPr");
    const on = (name: string) => {
      const el = props && firstChild(props, name);
      return !!el && !["0", "false"].includes(attr(el, "val") ?? "");
    };
    let text = "";
    for (const part of childElements(run)) {
      if (part.name === "w:t") text += textOfT(part);
      else if (part.name === "w:tab") text += "\t";
      else if (part.name === "w:br" || part.name === "w:cr") text += "\n";
    }
    if (text) runs.push({ text, bold: on("w:b"), italic: on("w:i") });
  }
  return runs;
}

const textOfT = (t: DomElement) => t.children.map((child) => ("data" in child ? String(child.data) : "")).join("");

function paragraphBlock(paragraph: DomElement, styles: Map<string, number>): DocxBlock | undefined {
  const props = firstChild(paragraph, "w:pPr");
  const styleId = attr(props && firstChild(props, "w:pStyle"), "val") ?? "";
  const outline = attr(props && firstChild(props, "w:outlineLvl"), "val");
  const level = styles.get(styleId) ?? (outline !== undefined ? Number(outline) + 1 : 0);
  const runs = runsOf(paragraph);
  const text = runs.map((run) => run.text).join("");
  if (!text.trim()) return undefined;
  if (level >= 1 && level <= 6) return { type: "heading", level, text: text.trim() };
  const list = /^list/i.test(styleId) || !!(props && firstChild(props, "w:numPr"));
  return { type: "paragraph", runs, list };
}

function tableBlock(table: DomElement): DocxBlock {
  const rows = childElements(table, "w:tr").map((row) =>
    childElements(row, "w:tc").map((cell) =>
      descendants(cell, "w:p")
        .map((p) =>
          runsOf(p)
            .map((run) => run.text)
            .join(""),
        )
        .join("\n")
        .trim(),
    ),
  );
  return { type: "table", rows };
}

export function readDocx(bytes: Uint8Array, limits: DocumentLimits): DocxBlock[] {
  const pkg = openPackage(bytes, "Word document", limits);
  const document = parseXml(requirePart(pkg, "word/document.xml", "Word document"));
  const styles = headingStyles(pkg.part("word/styles.xml"));
  const body = descendants(document, "w:body")[0];
  if (!body) return [];
  const blocks: DocxBlock[] = [];
  for (const child of childElements(body)) {
    const block =
      child.name === "w:p" ? paragraphBlock(child, styles) : child.name === "w:tbl" ? tableBlock(child) : undefined;
    if (block) blocks.push(block);
  }
  return blocks;
}

export function tableFromRows(rows: string[][], name: string): Table {
  const [header = [], ...rest] = rows;
  const width = Math.max(header.length, ...rest.map((row) => row.length));
  const columns = Array.from({ length: width }, (_, i) => header[i] || `column ${i + 1}`);
  return { name, columns, rows: rest.map((row) => columns.map((_, i) => row[i] ?? null)) };
}

export function extractDocx(bytes: Uint8Array, limits: DocumentLimits): ExtractedDocument {
  const blocks = readDocx(bytes, limits);
  const builder = new SectionBuilder();
  const tables: Table[] = [];
  for (const block of blocks) {
    if (block.type === "heading") builder.heading(block.level, block.text);
    else if (block.type === "paragraph") builder.line(block.runs.map((run) => run.text).join(""));
    else {
      tables.push(tableFromRows(block.rows, `table ${tables.length + 1}`));
      for (const row of block.rows) builder.line(row.join("\t"));
    }
  }
  const text = builder.text();
  return {
    kind: "docx",
    text,
    sections: builder.sections,
    headings: builder.headings,
    tables,
    metadata: { paragraphs: blocks.filter((block) => block.type !== "table").length, tables: tables.length },
  };
}
