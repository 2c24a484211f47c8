/**
 * Rendering documents as Markdown and HTML: Word blocks (./docx.ts) to either,
 * Markdown to HTML (marked), and the standalone HTML page a PDF is printed from.
 */
import { marked } from "marked";
import type { DocxBlock, Run } from "./docx";

export const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const escapeMarkdown = (text: string) => text.replace(/([\\`*_[\]#|])/g, "\\$1");

function runMarkdown(run: Run): string {
  const text = escapeMarkdown(run.text);
  if (!text.trim()) return text;
  const [lead, core, trail] = [/^\s*/.exec(text)![0], text.trim(), /\s*$/.exec(text)![0]];
  const mark = run.bold && run.italic ? "***" : run.bold ? "**" : run.italic ? "*" : "";
  return `${lead}${mark}${core}${mark}${trail}`;
}

function runHtml(run: Run): string {
  let html = escapeHtml(run.text).replace(/\n/g, "<br>");
  if (run.italic) html = `<em>${html}</em>`;
  if (run.bold) html = `<strong>${html}</strong>`;
  return html;
}

function tableMarkdown(rows: string[][]): string {
  const width = Math.max(...rows.map((row) => row.length));
  const line = (row: string[]) =>
    `| ${Array.from({ length: width }, (_, i) => escapeMarkdown(row[i] ?? "").replace(/\n/g, " ")).join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), `|${" --- |".repeat(width)}`, ...body.map(line)].join("\n");
}

export function docxToMarkdown(blocks: DocxBlock[]): string {
  const out: string[] = [];
  blocks.forEach((block, i) => {
    if (block.type === "heading") out.push(`${"#".repeat(block.level)} ${escapeMarkdown(block.text)}`);
    else if (block.type === "table") out.push(tableMarkdown(block.rows));
    else {
      const text = block.runs.map(runMarkdown).join("");
      const previous = blocks[i - 1];
      // Consecutive list items form one list: no blank line between them.
      if (block.list && previous?.type === "paragraph" && previous.list) out[out.length - 1] += `\n- ${text}`;
      else out.push(block.list ? `- ${text}` : text);
    }
  });
  return `${out.join("\n\n")}\n`;
}

export function docxToHtml(blocks: DocxBlock[], title: string): string {
  const out: string[] = [];
  blocks.forEach((block, i) => {
    if (block.type === "heading") out.push(`<h${block.level}>${escapeHtml(block.text)}</h${block.level}>`);
    else if (block.type === "table") {
      const [header = [], ...body] = block.rows;
      const row = (cells: string[], tag: string) =>
        `<tr>${cells.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join("")}</tr>`;
      out.push(
        `<table><thead>${row(header, "th")}</thead><tbody>${body.map((r) => row(r, "td")).join("")}</tbody></table>`,
      );
    } else {
      const html = block.runs.map(runHtml).join("");
      if (!block.list) out.push(`<p>${html}</p>`);
      else {
        const previous = blocks[i - 1];
        const open = !(previous?.type === "paragraph" && previous.list);
        const next = blocks[i + 1];
        const close = !(next?.type === "paragraph" && next.list);
        out.push(`${open ? "<ul>" : ""}<li>${html}</li>${close ? "</ul>" : ""}`);
      }
    }
  });
  return htmlPage(title, out.join("\n"));
}

export function markdownToHtml(markdown: string, title: string): string {
  return htmlPage(title, marked.parse(markdown, { async: false }));
}

const PRINT_CSS = `body{font-family:Helvetica,Arial,sans-serif;font-size:11pt;line-height:1.45;margin:2cm;color:#111}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:4px 8px;text-align:left}
th{background:#eee}h1,h2,h3{line-height:1.2}pre,code{font-family:Menlo,Consolas,monospace;font-size:9.5pt}`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PRINT_CSS}</style></head>\n<body>\n${body}\n</body></html>\n`;
}
