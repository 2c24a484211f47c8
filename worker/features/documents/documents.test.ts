/**
 * Extraction through the public API, on documents written by other software
 * (python-docx, openpyxl, fpdf2: test/fixtures/documents) and on text formats
 * written here: pages, sheets, headings and tables kept; corrupt and encrypted
 * documents answer 422 and stay stored; the queue consumer does the same work
 * in the background and tells the owner's live hub how it ended; table queries
 * filter, group and sort.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";
import { type FileDto, fixture, stored, text, uploadForm } from "../../../test/worker/support/files";
import { connect, type LiveSocket } from "../../../test/worker/support/live";
import worker from "../../index";
import type { ExtractedDocument } from "./model";

let user: TestUser;

beforeAll(async () => {
  user = await createUser();
});

async function extracted(name: string, bytes: Uint8Array, type?: string) {
  const file = await stored(uploadForm(user, name, bytes, type ? { type } : {}));
  const res = await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken });
  if (res.status !== 200) throw new Error(`extraction failed: ${res.status} ${await res.text()}`);
  return { file, doc: await json<ExtractedDocument>(res) };
}

describe("extraction of each format", () => {
  it("PDF: text page by page", async () => {
    const { doc } = await extracted("report.pdf", fixture("report.pdf"));
    expect(doc.kind).toBe("pdf");
    expect(doc.metadata.pages).toBe(2);
    expect(doc.sections.map((s) => [s.kind, s.index])).toEqual([
      ["page", 1],
      ["page", 2],
    ]);
    expect(doc.sections[0]?.text).toContain("Annual Summary");
    expect(doc.sections[0]?.text).toContain("solar panel installation");
    expect(doc.sections[1]?.text).toContain("battery storage");
    expect(doc.sections[0]?.text).not.toContain("battery");
  }, 30_000);

  it("DOCX: headings with levels, sections under them, runs joined, tables as rows", async () => {
    const { doc } = await extracted("report.docx", fixture("report.docx"));
    expect(doc.headings).toEqual([
      { level: 1, text: "Quarterly Report" },
      { level: 2, text: "Regional results" },
      { level: 2, text: "Outlook" },
    ]);
    expect(doc.sections.map((s) => s.title)).toEqual(["Quarterly Report", "Regional results", "Outlook"]);
    expect(doc.sections[2]?.text).toContain("We expect steady growth next year.");
    expect(doc.tables).toEqual([
      {
        name: "table 1",
        columns: ["Region", "Revenue"],
        rows: [
          ["North", "1200"],
          ["South", "950"],
        ],
      },
    ]);
  });

  it("XLSX: sheets in order with typed cells, booleans and dates", async () => {
    const { doc } = await extracted("sales.xlsx", fixture("sales.xlsx"));
    expect(doc.metadata.sheets).toEqual(["Sales", "Notes"]);
    expect(doc.sections.map((s) => [s.kind, s.title])).toEqual([
      ["sheet", "Sales"],
      ["sheet", "Notes"],
    ]);
    const sales = doc.tables[0]!;
    expect(sales.columns).toEqual(["Region", "Product", "Units", "Price", "Shipped", "column 6", "Updated"]);
    expect(sales.rows[0]).toEqual(["North", "Widget", 10, 2.5, true, null, "2024-03-15"]);
    expect(sales.rows).toHaveLength(4);
    expect(doc.tables[1]).toMatchObject({ name: "Notes", columns: ["Note"], rows: [["Prices are in euros"]] });
  });

  it("CSV: typed rows under the header, quoted fields kept whole", async () => {
    const csv = 'city,population,coastal\n"Lisbon, PT",545000,true\nMadrid,3300000,false\n';
    const { doc } = await extracted("cities.csv", text(csv));
    expect(doc.tables[0]).toEqual({
      name: "table 1",
      columns: ["city", "population", "coastal"],
      rows: [
        ["Lisbon, PT", 545000, true],
        ["Madrid", 3300000, false],
      ],
    });
    expect(doc.text).toContain("city: Lisbon, PT; population: 545000; coastal: true");
  });

  it("JSON: leaves as path: value lines, an array of objects as a table", async () => {
    const { doc } = await extracted("people.json", text('[{"name":"Ada","tags":["math"]},{"name":"Alan","age":41}]'));
    expect(doc.text.split("\n")).toEqual(["0.name: Ada", "0.tags.0: math", "1.name: Alan", "1.age: 41"]);
    expect(doc.tables[0]).toEqual({
      name: "table 1",
      columns: ["name", "tags", "age"],
      rows: [
        ["Ada", '["math"]', null],
        ["Alan", null, 41],
      ],
    });
  });

  it("Markdown: headings, sections, lists and tables, without markup", async () => {
    const md =
      "# Guide\nRead **this** [first](http://x).\n\n## Steps\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | x |\n";
    const { doc } = await extracted("guide.md", text(md));
    expect(doc.headings).toEqual([
      { level: 1, text: "Guide" },
      { level: 2, text: "Steps" },
    ]);
    expect(doc.sections[0]?.text).toBe("Guide\nRead this first.");
    expect(doc.sections[1]?.text).toContain("- one\n- two");
    expect(doc.tables[0]).toEqual({ name: "table 1", columns: ["a", "b"], rows: [[1, "x"]] });
  });

  it("HTML: visible text by block, headings, tables; scripts and styles dropped", async () => {
    const html = `<!doctype html><html><head><title>Inventory</title><style>p{color:red}</style></head>
      <body><h1>Stock</h1><p>Counted   on <b>Monday</b>.</p><script>alert("x")</script>
      <table><tr><th>Item</th><th>Qty</th></tr><tr><td>Bolts</td><td>40</td></tr></table>
      <h2>Notes</h2><ul><li>Reorder soon</li></ul></body></html>`;
    const { doc } = await extracted("inventory.html", text(html));
    expect(doc.metadata.title).toBe("Inventory");
    expect(doc.headings.map((h) => h.text)).toEqual(["Stock", "Notes"]);
    expect(doc.sections[0]?.text).toContain("Counted on Monday.");
    expect(doc.text).not.toContain("alert");
    expect(doc.text).not.toContain("color");
    expect(doc.tables[0]).toEqual({ name: "table 1", columns: ["Item", "Qty"], rows: [["Bolts", 40]] });
  });

  it("images have no text: 422 no_text", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const file = await stored(uploadForm(user, "pic.png", png));
    expect(file.extraction.status).toBe("unsupported");
    await expectError(await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken }), 422, "no_text");
  });
});

describe("unreadable documents", () => {
  const ole = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Uint8Array(500)]);
  const cases: Array<{ name: string; bytes: Uint8Array; code: string; message: RegExp }> = [
    {
      name: "encrypted.pdf",
      bytes: fixture("encrypted.pdf"),
      code: "encrypted_document",
      message: /password-protected/,
    },
    { name: "truncated.pdf", bytes: fixture("report.pdf").slice(0, 400), code: "corrupt_document", message: /damaged/ },
    {
      name: "truncated.docx",
      bytes: fixture("report.docx").slice(0, 3000),
      code: "corrupt_document",
      message: /damaged/,
    },
    { name: "broken.xlsx", bytes: text("PK\u0003\u0004 not a zip"), code: "corrupt_document", message: /damaged/ },
    { name: "locked.xlsx", bytes: ole, code: "encrypted_document", message: /password-protected/ },
    { name: "bad.json", bytes: text('{"unterminated": '), code: "corrupt_document", message: /not valid JSON/ },
  ];

  it.each(cases)(
    "$name → 422 $code with a clear message; the file stays stored",
    async ({ name, bytes, code, message }) => {
      const file = await stored(uploadForm(user, name, bytes));
      const body = await expectError(
        await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken }),
        422,
        code,
      );
      expect(body.error.message).toMatch(message);
      const meta = await json<FileDto>(await call(`/api/v1/files/${file.id}`, { token: user.accessToken }));
      expect(meta.extraction).toMatchObject({ status: "failed", error: { code } });
      const download = await call(`/api/v1/files/${file.id}/content`, { token: user.accessToken });
      expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
      await expectError(await call(`/api/v1/files/${file.id}/extraction`, { token: user.accessToken }), 422, code);
    },
  );
});

describe("the file-jobs queue", () => {
  it("extracts in the background, records failures as outcomes, and drops malformed jobs", async () => {
    const good = await stored(uploadForm(user, "q.md", text("# Queued\nbody")));
    const bad = await stored(uploadForm(user, "q.pdf", fixture("report.pdf").slice(0, 300)));
    const batch = createMessageBatch("edgewise-file-jobs", [
      { id: "1", timestamp: new Date(), attempts: 1, body: { kind: "extract", user_id: user.id, file_id: good.id } },
      { id: "2", timestamp: new Date(), attempts: 1, body: { kind: "extract", user_id: user.id, file_id: bad.id } },
      { id: "3", timestamp: new Date(), attempts: 1, body: { kind: "nonsense" } },
      { id: "4", timestamp: new Date(), attempts: 1, body: { kind: "extract", user_id: "x", file_id: "gone" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["1", "2", "3", "4"]);
    expect(result.retryMessages).toEqual([]);
    const status = async (id: string) =>
      (await json<FileDto>(await call(`/api/v1/files/${id}`, { token: user.accessToken }))).extraction;
    expect(await status(good.id)).toMatchObject({ status: "done", error: null });
    expect(await status(bad.id)).toMatchObject({ status: "failed", error: { code: "corrupt_document" } });
    const storedDoc = await env.FILES.get(`users/${user.id}/files/${good.id}/extracted.json`);
    expect(((await storedDoc!.json()) as ExtractedDocument).headings).toEqual([{ level: 1, text: "Queued" }]);
  }, 30_000);

  it("the real consumer picks up an upload by itself", async () => {
    const file = await stored(uploadForm(user, "auto.txt", text("picked up by the consumer")));
    let status = file.extraction.status;
    for (let i = 0; i < 60 && status === "pending"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await json<FileDto>(await call(`/api/v1/files/${file.id}`, { token: user.accessToken }))).extraction
        .status;
    }
    expect(status).toBe("done");
  }, 30_000);
});

describe("live extraction events", () => {
  /**
   * The hub event about `fileId`, in whatever order the real consumer finished
   * the uploads (it picks them up within a second or two).
   */
  async function eventFor(socket: LiveSocket, fileId: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = socket.events().find((e) => (e.data as { file_id?: unknown } | null)?.file_id === fileId);
      if (found) return found as { type: string; data: Record<string, unknown> };
      if (Date.now() > deadline) throw new Error(`no event for ${fileId}; got ${JSON.stringify(socket.events())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("tells the owner's hub when background extraction finishes, with what it found, or why it failed", async () => {
    const [owner, other] = await Promise.all([createUser(), createUser()]);
    const { socket } = await connect(owner, { topics: "file" });
    const { socket: otherSocket } = await connect(other);
    try {
      const pdf = await stored(uploadForm(owner, "report.pdf", fixture("report.pdf")));
      const xlsx = await stored(uploadForm(owner, "sales.xlsx", fixture("sales.xlsx")));
      const broken = await stored(uploadForm(owner, "broken.pdf", fixture("report.pdf").slice(0, 300)));
      const extracted = await eventFor(socket, pdf.id);
      expect(extracted.type).toBe("file.extracted");
      expect(extracted.data).toEqual({
        file_id: pdf.id,
        filename: "report.pdf",
        status: "done",
        kind: "pdf",
        pages: 2,
        sheets: null,
        sections: 2,
        tables: 0,
      });
      expect((await eventFor(socket, xlsx.id)).data).toMatchObject({ kind: "xlsx", sheets: 2, pages: null, tables: 2 });
      const failed = await eventFor(socket, broken.id);
      expect(failed).toMatchObject({
        type: "file.extraction_failed",
        data: { file_id: broken.id, filename: "broken.pdf", status: "failed", code: "corrupt_document" },
      });
      expect(String(failed.data.message)).not.toBe("");
      // The event and the row agree.
      const row = await json<FileDto>(await call(`/api/v1/files/${broken.id}`, { token: owner.accessToken }));
      expect(row.extraction).toMatchObject({ status: "failed", error: { code: "corrupt_document" } });
      // Stored for replay and webhooks, and never sent to anyone else.
      const recent = await json<{ items: Array<{ type: string }> }>(
        await call("/api/v1/events?limit=500", { token: owner.accessToken }),
      );
      expect(recent.items.filter((e) => e.type.startsWith("file.")).length).toBe(3);
      await otherSocket.sync();
      expect(otherSocket.events().filter((e) => e.type.startsWith("file."))).toEqual([]);
    } finally {
      socket.close();
      otherSocket.close();
    }
  }, 60_000);
});

describe("table queries", () => {
  let file: FileDto;
  beforeAll(async () => {
    file = await stored(uploadForm(user, "sales.xlsx", fixture("sales.xlsx")));
  });
  const query = (body: unknown) => call(`/api/v1/files/${file.id}/tables/query`, { token: user.accessToken, body });

  it("filters, sorts and projects", async () => {
    const res = await query({
      table: "Sales",
      filters: [{ column: "Units", op: "gte", value: 4 }],
      sort: [{ column: "Units", direction: "desc" }],
      columns: ["Region", "Units"],
    });
    expect(await json(res)).toEqual({
      table: "Sales",
      columns: ["Region", "Units"],
      rows: [
        ["North", 10],
        ["North", 7],
        ["South", 4],
      ],
      matched_rows: 3,
    });
  });

  it("groups and aggregates", async () => {
    const res = await query({
      group_by: ["Region"],
      aggregates: [{ fn: "sum", column: "Units", as: "units" }, { fn: "count" }],
      sort: [{ column: "units", direction: "desc" }],
    });
    expect((await json<{ rows: unknown[] }>(res)).rows).toEqual([
      ["North", 17, 2],
      ["South", 4, 1],
      ["East", 3, 1],
    ]);
  });

  it("names what is wrong: unknown table 404, unknown column 422, bad body 400", async () => {
    await expectError(await query({ table: "Nope" }), 404, "table_not_found");
    await expectError(await query({ filters: [{ column: "Colour", op: "eq", value: "red" }] }), 422, "unknown_column");
    await expectError(await query({ limit: 0 }), 400, "validation_failed");
  });
});
