/**
 * HTML reader (htmlparser2): visible text by block, headings h1–h6 starting
 * sections, tables as rows (the first row with <th> cells names the columns);
 * scripts, styles and templates are skipped.
 */
import { childElements, type DomElement, type DomNode, descendants, isElement, parseHtml, textOf } from "./dom";
import { type ExtractedDocument, SectionBuilder, type Table } from "./model";
import { rowsToTable } from "./text-formats";

const SKIPPED = new Set(["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]);
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "header",
  "footer",
  "aside",
  "nav",
  "li",
  "ul",
  "ol",
  "blockquote",
  "pre",
  "br",
  "hr",
  "dd",
  "dt",
  "dl",
  "figure",
  "figcaption",
  "form",
  "address",
  "tr",
]);

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

function tableRows(table: DomElement): string[][] {
  return descendants(table, "tr").map((tr) =>
    childElements(tr)
      .filter((cell) => cell.name === "td" || cell.name === "th")
      .map((cell) => squash(textOf(cell))),
  );
}

class Walker {
  readonly builder = new SectionBuilder();
  readonly tables: Table[] = [];
  #line = "";

  #flush() {
    this.builder.line(squash(this.#line));
    this.#line = "";
  }

  walk(node: DomNode) {
    if (node.type === "text") {
      this.#line += (node as { data: string }).data;
      return;
    }
    if (!isElement(node)) return;
    if (SKIPPED.has(node.name)) return;
    const heading = /^h([1-6])$/.exec(node.name);
    if (heading) {
      this.#flush();
      this.builder.heading(Number(heading[1]), squash(textOf(node)));
      return;
    }
    if (node.name === "table") {
      this.#flush();
      const rows = tableRows(node).filter((row) => row.length);
      if (rows.length) this.tables.push(rowsToTable(rows, `table ${this.tables.length + 1}`));
      for (const row of rows) this.builder.line(row.join("\t"));
      return;
    }
    const block = BLOCKS.has(node.name);
    if (block) this.#flush();
    for (const child of node.children) this.walk(child);
    if (block) this.#flush();
  }

  finish() {
    this.#flush();
    return this.builder.text();
  }
}

export function extractHtml(html: string): ExtractedDocument {
  const document = parseHtml(html);
  const title = squash(descendants(document, "title").map(textOf).join(" "));
  const walker = new Walker();
  const body = descendants(document, "body")[0];
  for (const node of body ? body.children : document.children) walker.walk(node);
  const text = walker.finish();
  return {
    kind: "html",
    text,
    sections: walker.builder.sections,
    headings: walker.builder.headings,
    tables: walker.tables,
    metadata: title ? { title } : {},
  };
}
