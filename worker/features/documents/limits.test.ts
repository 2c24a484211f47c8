/**
 * Hostile Office files against the `document_limits` caps, through the public API:
 * a sheet whose one cell sits at XFD1048576, a part that inflates to a gigabyte
 * (declared honestly, and hidden behind a small declared size), and a ZIP of
 * 100,000 entries. Each answers 422 document_too_large naming the limit, on
 * extraction and on conversion; the upload stays stored and says why it failed.
 */
import { strToU8 } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { expectError } from "../../../test/worker/support/envelope";
import { type FileDto, stored, uploadForm } from "../../../test/worker/support/files";
import { bomb, type RawEntry, rawZip, WORKBOOK_ENTRIES, workbook } from "../../../test/worker/support/hostile-zip";
import { CONFIG_REGISTRY } from "../config/registry";

let user: TestUser;

beforeAll(async () => {
  user = await createUser();
  await setConfig("document_limits", CONFIG_REGISTRY.document_limits.default);
});

const GIGABYTE = 1024;
const DOCX_HEAD =
  '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>';

async function refused(file: FileDto, convertTo: string, limit: string) {
  const extraction = await expectError(
    await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken }),
    422,
    "document_too_large",
  );
  expect(extraction.error.details).toMatchObject({ limit });
  const meta = await json<FileDto>(await call(`/api/v1/files/${file.id}`, { token: user.accessToken }));
  expect(meta.extraction).toMatchObject({ status: "failed", error: { code: "document_too_large" } });
  const conversion = await expectError(
    await call(`/api/v1/files/${file.id}/convert`, { token: user.accessToken, body: { to: convertTo } }),
    422,
    "document_too_large",
  );
  expect(conversion.error.details).toMatchObject({ limit });
  const download = await call(`/api/v1/files/${file.id}/content`, { token: user.accessToken });
  expect(download.status).toBe(200);
  expect((await download.arrayBuffer()).byteLength).toBe(file.size);
}

describe("XLSX cells", () => {
  it("one cell at XFD1048576 → 422 max_sheet_extent, not a grid of 17 billion cells", async () => {
    const bytes = workbook(
      '<worksheet><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    );
    expect(bytes.length).toBeLessThan(1024);
    await refused(await stored(uploadForm(user, "far.xlsx", bytes)), "csv", "max_sheet_extent");
  });

  it("an empty row declared at 1048576 builds no grid: the sheet reads as its one cell", async () => {
    const bytes = workbook(
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>total</t></is></c></row><row r="1048576"/></sheetData></worksheet>',
    );
    const file = await stored(uploadForm(user, "tall.xlsx", bytes));
    const res = await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken });
    expect(res.status).toBe(200);
    expect((await json<{ text: string }>(res)).text).toBe("# Sheet1\ntotal");
  });

  it("more populated cells than max_cells → 422 max_cells; within the caps a sheet still reads", async () => {
    const row = (r: number) =>
      `<row r="${r}">${["A", "B", "C"].map((c) => `<c r="${c}${r}"><v>${r}</v></c>`).join("")}</row>`;
    const sheet = (rows: number) =>
      `<worksheet><sheetData>${Array.from({ length: rows }, (_, i) => row(i + 1)).join("")}</sheetData></worksheet>`;
    await setConfig("document_limits", { ...CONFIG_REGISTRY.document_limits.default, max_cells: 100 });
    try {
      await refused(await stored(uploadForm(user, "many.xlsx", workbook(sheet(40)))), "json", "max_cells");
      const fine = await stored(uploadForm(user, "few.xlsx", workbook(sheet(30))));
      const res = await call(`/api/v1/files/${fine.id}/extraction`, { token: user.accessToken });
      expect(res.status).toBe(200);
      expect((await json<{ tables: Array<{ rows: unknown[] }> }>(res)).tables[0]?.rows).toHaveLength(29);
    } finally {
      await setConfig("document_limits", CONFIG_REGISTRY.document_limits.default);
    }
  });
});

describe("inflated size", () => {
  const documentXml = (declaredSize?: number): RawEntry => ({
    name: "word/document.xml",
    data: bomb(DOCX_HEAD, GIGABYTE),
    deflated: true,
    declaredSize,
  });

  it("a part the central directory declares at 1 GB → 422 max_part_bytes before inflating", async () => {
    const bytes = rawZip([documentXml(GIGABYTE * 1024 * 1024)]);
    expect(bytes.length).toBeLessThan(8 * 1024 * 1024);
    await refused(await stored(uploadForm(user, "bomb.docx", bytes)), "markdown", "max_part_bytes");
  });

  it("a part that declares 100 bytes but inflates to 1 GB → 422 max_part_bytes, inflation stops at the cap", async () => {
    const bytes = rawZip([documentXml(100)]);
    await refused(await stored(uploadForm(user, "liar.docx", bytes)), "html", "max_part_bytes");
  });

  it("parts that together pass max_inflated_bytes → 422 max_inflated_bytes", async () => {
    const sheet = (megabytes: number) => bomb("<worksheet><sheetData/></worksheet><!--", megabytes);
    await setConfig("document_limits", {
      ...CONFIG_REGISTRY.document_limits.default,
      max_part_bytes: 4 * 1024 * 1024,
      max_inflated_bytes: 6 * 1024 * 1024,
    });
    try {
      const bytes = rawZip([
        ...WORKBOOK_ENTRIES,
        { name: "xl/sharedStrings.xml", data: sheet(3), deflated: true },
        { name: "xl/styles.xml", data: sheet(3), deflated: true },
      ]);
      await refused(await stored(uploadForm(user, "wide.xlsx", bytes)), "csv", "max_inflated_bytes");
    } finally {
      await setConfig("document_limits", CONFIG_REGISTRY.document_limits.default);
    }
  });
});

describe("entries", () => {
  it("a ZIP of 100,000 entries → 422 max_zip_entries", async () => {
    const empty = new Uint8Array(0);
    const filler = Array.from({ length: 100_000 - 3 }, (_, i): RawEntry => ({ name: `f/${i}`, data: empty }));
    const sheet = strToU8('<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>');
    const bytes = rawZip([...WORKBOOK_ENTRIES, { name: "xl/worksheets/sheet1.xml", data: sheet }, ...filler]);
    await refused(await stored(uploadForm(user, "crowd.xlsx", bytes)), "json", "max_zip_entries");
  });
});
