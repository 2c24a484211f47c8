/**
 * Conversions through the public API, each checked by reading the new file
 * back: XLSX → CSV/JSON, CSV ↔ JSON, CSV/JSON → XLSX (round trip through our
 * reader), DOCX → Markdown/HTML, and Markdown/HTML → PDF printed by Browser
 * Rendering (local Chromium) and read back by the PDF extractor.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";
import { type FileDto, fixture, stored, text, uploadForm } from "../../../test/worker/support/files";
import type { ExtractedDocument } from "./model";

let user: TestUser;

beforeAll(async () => {
  user = await createUser();
});

async function convert(file: FileDto, body: Record<string, unknown>) {
  const res = await call(`/api/v1/files/${file.id}/convert`, { token: user.accessToken, body });
  if (res.status !== 201) throw new Error(`convert failed: ${res.status} ${await res.text()}`);
  const created = await json<FileDto & { metadata: Record<string, unknown> }>(res);
  const content = await call(`/api/v1/files/${created.id}/content`, { token: user.accessToken });
  return { file: created, bytes: new Uint8Array(await content.arrayBuffer()) };
}

const extraction = async (file: FileDto) =>
  json<ExtractedDocument>(await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken }));
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("spreadsheets and tables", () => {
  let xlsx: FileDto;
  beforeAll(async () => {
    xlsx = await stored(uploadForm(user, "sales.xlsx", fixture("sales.xlsx")));
  });

  it("XLSX → CSV (first sheet, or the one named)", async () => {
    const first = await convert(xlsx, { to: "csv" });
    expect(first.file).toMatchObject({ filename: "sales.csv", content_type: "text/csv" });
    expect(first.file.metadata).toEqual({ converted_from: xlsx.id, conversion: "csv" });
    expect(decode(first.bytes).split("\r\n").slice(0, 2)).toEqual([
      "Region,Product,Units,Price,Shipped,column 6,Updated",
      "North,Widget,10,2.5,true,,2024-03-15",
    ]);
    const notes = await convert(xlsx, { to: "csv", sheet: "Notes" });
    expect(notes.file.filename).toBe("sales-Notes.csv");
    expect(decode(notes.bytes)).toBe("Note\r\nPrices are in euros");
    await expectError(
      await call(`/api/v1/files/${xlsx.id}/convert`, { token: user.accessToken, body: { to: "csv", sheet: "Nope" } }),
      404,
      "sheet_not_found",
    );
  });

  it("XLSX → JSON: every sheet by name, or one sheet's rows", async () => {
    const all = JSON.parse(decode((await convert(xlsx, { to: "json" })).bytes));
    expect(Object.keys(all)).toEqual(["Sales", "Notes"]);
    expect(all.Sales[0]).toEqual({
      Region: "North",
      Product: "Widget",
      Units: 10,
      Price: 2.5,
      Shipped: true,
      "column 6": null,
      Updated: "2024-03-15",
    });
    expect(JSON.parse(decode((await convert(xlsx, { to: "json", sheet: "Notes" })).bytes))).toEqual([
      { Note: "Prices are in euros" },
    ]);
  });

  it("CSV → XLSX → back, and CSV ↔ JSON", async () => {
    const csv = await stored(uploadForm(user, "stock.csv", text('item,qty,note\nbolts,40,"a, b"\nnuts,15,\n')));
    const book = await convert(csv, { to: "xlsx" });
    expect(book.file.content_type).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const read = await extraction(book.file);
    expect(read.tables[0]).toMatchObject({
      name: "Sheet1",
      columns: ["item", "qty", "note"],
      rows: [
        ["bolts", 40, "a, b"],
        ["nuts", 15, null],
      ],
    });
    const asJson = JSON.parse(decode((await convert(csv, { to: "json" })).bytes));
    expect(asJson).toEqual([
      { item: "bolts", qty: 40, note: "a, b" },
      { item: "nuts", qty: 15, note: null },
    ]);
    const jsonFile = await stored(uploadForm(user, "stock.json", text(JSON.stringify(asJson))));
    expect(decode((await convert(jsonFile, { to: "csv" })).bytes)).toBe('item,qty,note\r\nbolts,40,"a, b"\r\nnuts,15,');
    const fromJson = await extraction((await convert(jsonFile, { to: "xlsx" })).file);
    expect(fromJson.tables[0]?.rows).toEqual([
      ["bolts", 40, "a, b"],
      ["nuts", 15, null],
    ]);
  });

  it("refuses JSON that is not a table and pairs it does not convert", async () => {
    const scalar = await stored(uploadForm(user, "n.json", text('{"a": 1}')));
    await expectError(
      await call(`/api/v1/files/${scalar.id}/convert`, { token: user.accessToken, body: { to: "csv" } }),
      422,
      "not_tabular",
    );
    const pdf = await stored(uploadForm(user, "r.pdf", fixture("report.pdf")));
    const refused = await expectError(
      await call(`/api/v1/files/${pdf.id}/convert`, { token: user.accessToken, body: { to: "csv" } }),
      422,
      "unsupported_conversion",
    );
    expect(refused.error.details).toEqual({ supported: [] });
    const broken = await stored(uploadForm(user, "broken.docx", fixture("report.docx").slice(0, 2000)));
    await expectError(
      await call(`/api/v1/files/${broken.id}/convert`, { token: user.accessToken, body: { to: "markdown" } }),
      422,
      "corrupt_document",
    );
  });
});

describe("documents", () => {
  let docx: FileDto;
  beforeAll(async () => {
    docx = await stored(uploadForm(user, "report.docx", fixture("report.docx")));
  });

  it("DOCX → Markdown keeps headings, emphasis and tables", async () => {
    const { file, bytes } = await convert(docx, { to: "markdown" });
    expect(file).toMatchObject({ filename: "report.md", content_type: "text/markdown" });
    const markdown = decode(bytes);
    expect(markdown).toContain("# Quarterly Report\n\nRevenue grew in every region this quarter.");
    expect(markdown).toContain("## Regional results");
    expect(markdown).toContain("| Region | Revenue |\n| --- | --- |\n| North | 1200 |");
    expect(markdown).toContain("We expect **steady** growth next year.");
  });

  it("DOCX → HTML is a standalone page with the same structure", async () => {
    const html = decode((await convert(docx, { to: "html" })).bytes);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<title>report</title>");
    expect(html).toContain("<h2>Outlook</h2>");
    expect(html).toContain("<strong>steady</strong>");
    expect(html).toContain("<th>Region</th>");
  });

  it("Markdown → HTML", async () => {
    const md = await stored(uploadForm(user, "notes.md", text("# Notes\n\n- one *two*\n")));
    const html = decode((await convert(md, { to: "html" })).bytes);
    expect(html).toContain("<h1>Notes</h1>");
    expect(html).toContain("<li>one <em>two</em></li>");
  });

  it("Markdown and HTML → PDF through Browser Rendering, readable back; remote resources never load", async () => {
    const md = await stored(
      uploadForm(user, "brief.md", text("# Project Brief\n\nThe harbour crane inspection is due in May.\n")),
    );
    const pdf = await convert(md, { to: "pdf" });
    expect(pdf.file).toMatchObject({ filename: "brief.pdf", content_type: "application/pdf" });
    expect(decode(pdf.bytes.slice(0, 5))).toBe("%PDF-");
    const read = await extraction(pdf.file);
    expect(read.text).toContain("Project Brief");
    expect(read.text).toContain("harbour crane inspection");

    const page = `<html><body><h1>Offline</h1><img src="http://169.254.169.254/latest/meta-data"><p>No fetches.</p></body></html>`;
    const html = await stored(uploadForm(user, "page.html", text(page)));
    const printed = await extraction((await convert(html, { to: "pdf" })).file);
    expect(printed.text).toContain("No fetches.");
  }, 60_000);
});
