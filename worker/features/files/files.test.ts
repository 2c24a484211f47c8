/**
 * Files through the public API: both upload paths, sniffing and the type
 * allow-list (415), the size limit (413, with and without Content-Length),
 * chunked uploads streamed to R2 in multipart parts (aborted when refused),
 * checksums, downloads with ranges and ETags, signed links (valid, tampered,
 * expired), listing with filters and pages, deletion, scopes and other users.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import {
  type FileDto,
  fixture,
  sha256Hex,
  stored,
  text,
  uploadForm,
  uploadPut,
} from "../../../test/worker/support/files";
import { CONFIG_REGISTRY } from "../config/registry";
import { PART_BYTES } from "./chunked-upload";
import { signDownloadLink } from "./links";

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [alice, bob] = await Promise.all([createUser(), createUser()]);
});

afterEach(async () => {
  await setConfig("file_limits", CONFIG_REGISTRY.file_limits.default);
});

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

function pattern(size: number) {
  return Uint8Array.from({ length: size }, (_, i) => 0x41 + (i % 26));
}

describe("upload", () => {
  it("stores a multipart upload with its checksum, sniffed type and metadata, and serves it back", async () => {
    const bytes = text("name,score\nada,3\n");
    const file = await stored(
      uploadForm(alice, "scores.csv", bytes, {
        type: "application/octet-stream",
        fields: { metadata: '{"team":"x"}' },
      }),
    );
    expect(file).toMatchObject({
      filename: "scores.csv",
      content_type: "text/csv",
      size: bytes.length,
      sha256: await sha256Hex(bytes),
      metadata: { team: "x" },
      extraction: { status: "pending" },
    });
    const [row] = await rows<{ storage_path: string; user_id: string }>("SELECT * FROM files WHERE id = ?", file.id);
    expect(row?.storage_path).toBe(`users/${alice.id}/files/${file.id}/original`);
    const download = await call(`/api/v1/files/${file.id}/content`, { token: alice.accessToken });
    expect(download.status).toBe(200);
    expect(await bytesOf(download)).toEqual(bytes);
  });

  it("streams a PUT larger than the API's 1 MiB JSON limit, with and without Content-Length", async () => {
    const bytes = pattern(3 * 1024 * 1024 + 17);
    for (const chunked of [false, true]) {
      const file = await stored(uploadPut(alice, `big-${chunked}.txt`, bytes, { type: "text/plain", chunked }));
      expect(file.size).toBe(bytes.length);
      expect(file.sha256).toBe(await sha256Hex(bytes));
      const object = await env.FILES.head(`users/${alice.id}/files/${file.id}/original`);
      expect(object?.size).toBe(bytes.length);
    }
  }, 30_000);

  it("refuses a file over the configured limit with 413 on every path, storing nothing", async () => {
    await setConfig("file_limits", { ...CONFIG_REGISTRY.file_limits.default, max_upload_bytes: 1000 });
    const before = await rows("SELECT id FROM files WHERE user_id = ?", alice.id);
    const big = pattern(2000);
    const answers = await Promise.all([
      uploadForm(alice, "big.txt", big),
      uploadPut(alice, "big.txt", big),
      uploadPut(alice, "big.txt", big, { chunked: true }),
    ]);
    for (const res of answers) {
      const body = await expectError(res, 413, "payload_too_large");
      expect(body.error.details).toMatchObject({ max_bytes: 1000 });
    }
    expect(await rows("SELECT id FROM files WHERE user_id = ?", alice.id)).toEqual(before);
    expect((await stored(uploadPut(alice, "small.txt", pattern(1000)))).size).toBe(1000);
  });

  it("refuses executables and types outside the allow-list with 415", async () => {
    const exe = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, ...pattern(100)]);
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, ...pattern(100)]);
    for (const res of await Promise.all([
      uploadForm(alice, "tool.pdf", exe, { type: "application/pdf" }),
      uploadPut(alice, "run.txt", elf, { type: "text/plain" }),
      uploadPut(alice, "data.bin", Uint8Array.from([0, 1, 2, 3, 0, 0, 7])),
    ])) {
      await expectError(res, 415, "unsupported_media_type");
    }
    await setConfig("file_limits", { ...CONFIG_REGISTRY.file_limits.default, allowed_types: ["application/pdf"] });
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...pattern(50)]);
    const refused = await expectError(await uploadForm(alice, "pic.png", png), 415, "unsupported_media_type");
    expect(refused.error.details).toMatchObject({ content_type: "image/png" });
    expect((await stored(uploadForm(alice, "r.pdf", fixture("report.pdf")))).content_type).toBe("application/pdf");
  });

  it("trusts the bytes over the declared type", async () => {
    const file = await stored(uploadPut(alice, "notes", text("# Title\nplain words"), { type: "application/pdf" }));
    expect(file.content_type).toBe("text/plain");
    const docx = await stored(uploadForm(alice, "report.docx", fixture("report.docx"), { type: "text/plain" }));
    expect(docx.content_type).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  });

  it("answers bad input with 4xx and stores nothing", async () => {
    await expectError(await uploadPut(alice, "empty.txt", new Uint8Array()), 400, "empty_file");
    await expectError(await uploadForm(alice, "empty.txt", new Uint8Array()), 400, "empty_file");
    await expectError(await uploadForm(alice, "a.txt", text("x"), { fields: { metadata: "[1,2" } }), 400);
    await expectError(await uploadPut(alice, "a/b.txt", text("x")), 400, "validation_failed");
    const notForm = await call("/api/v1/files", { token: alice.accessToken, body: { file: "x" } });
    await expectError(notForm, 415, "unsupported_media_type");
    const otherSession = await uploadPut(alice, "a.txt", text("x"), { query: { session_id: "not-a-session" } });
    await expectError(otherSession, 404, "session_not_found");
  });

  it("needs files:write to upload and files:read to read", async () => {
    const reader = await createApiKey(alice, ["files:read"]);
    await expectError(await uploadForm({ apiKey: reader.secret }, "a.txt", text("hello")), 403, "insufficient_scope");
    const file = await stored(uploadForm(alice, "a.txt", text("hello")));
    expect((await call(`/api/v1/files/${file.id}`, { apiKey: reader.secret })).status).toBe(200);
    const writerOnly = await createApiKey(alice, ["memory:read"]);
    await expectError(await call(`/api/v1/files/${file.id}`, { apiKey: writerOnly.secret }), 403, "insufficient_scope");
  });
});

/** Bytes that differ from part to part, made quickly (a 16 MiB Array.from is slow). */
function varied(size: number) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = 0x41 + ((i * 7 + (i >>> 12)) % 26);
  return out;
}

describe("chunked uploads (no Content-Length)", () => {
  /** Watches the bucket's multipart uploads (the Worker and the test share one isolate and one env). */
  function watchMultipart() {
    const started: R2MultipartUpload[] = [];
    const create = env.FILES.createMultipartUpload.bind(env.FILES);
    const spy = vi.spyOn(env.FILES, "createMultipartUpload").mockImplementation(async (...args) => {
      const upload = await create(...args);
      started.push(upload);
      return upload;
    });
    return { started, restore: () => spy.mockRestore() };
  }

  const filesOf = async (userId: string) => (await env.FILES.list({ prefix: `users/${userId}/files/` })).objects;

  it("streams a body of several parts to R2 byte-exact, with its checksum, downloadable by range", async () => {
    const bytes = varied(2 * PART_BYTES + 12_345);
    const watch = watchMultipart();
    try {
      // Irregular chunks, so parts are cut across chunk boundaries.
      const file = await stored(uploadPut(alice, "big.txt", bytes, { chunked: true, chunkBytes: 3 * 1024 * 1024 + 1 }));
      expect(file).toMatchObject({ size: bytes.length, sha256: await sha256Hex(bytes), content_type: "text/plain" });
      expect(watch.started).toHaveLength(1);
      const download = await bytesOf(await call(`/api/v1/files/${file.id}/content`, { token: alice.accessToken }));
      // Compared by digest: toEqual over 16 MiB element by element takes seconds.
      expect(download.byteLength).toBe(bytes.length);
      expect(await sha256Hex(download)).toBe(file.sha256);
      const from = PART_BYTES - 10;
      const ranged = await call(`/api/v1/files/${file.id}/content`, {
        token: alice.accessToken,
        headers: { range: `bytes=${from}-${from + 19}` },
      });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get("content-range")).toBe(`bytes ${from}-${from + 19}/${bytes.length}`);
      expect(await bytesOf(ranged)).toEqual(bytes.slice(from, from + 20));
    } finally {
      watch.restore();
    }
  }, 60_000);

  it("answers 413 once the limit is passed mid-stream, aborting the multipart upload: nothing stored", async () => {
    await setConfig("file_limits", { ...CONFIG_REGISTRY.file_limits.default, max_upload_bytes: PART_BYTES + 1000 });
    const [rowsBefore, objectsBefore] = await Promise.all([
      rows("SELECT id FROM files WHERE user_id = ?", alice.id),
      filesOf(alice.id),
    ]);
    const watch = watchMultipart();
    try {
      const res = await uploadPut(alice, "too-big.txt", varied(PART_BYTES + 5000), { chunked: true });
      const body = await expectError(res, 413, "payload_too_large");
      expect(body.error.details).toMatchObject({ max_bytes: PART_BYTES + 1000 });
      // A first part had gone to R2; the upload it belonged to no longer exists.
      expect(watch.started).toHaveLength(1);
      const { key, uploadId } = watch.started[0]!;
      const resumed = env.FILES.resumeMultipartUpload(key, uploadId);
      await expect(resumed.complete([])).rejects.toThrow();
      expect(await env.FILES.head(key)).toBeNull();
    } finally {
      watch.restore();
    }
    expect(await rows("SELECT id FROM files WHERE user_id = ?", alice.id)).toEqual(rowsBefore);
    expect((await filesOf(alice.id)).map((o) => o.key)).toEqual(objectsBefore.map((o) => o.key));
  }, 60_000);

  it("sniffs the first bytes across small chunks: refused types get 415 before anything is stored", async () => {
    const watch = watchMultipart();
    try {
      const objectsBefore = await filesOf(alice.id);
      const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, ...varied(2 * 1024 * 1024)]);
      await expectError(await uploadPut(alice, "run.txt", elf, { chunked: true }), 415, "unsupported_media_type");
      // A NUL byte in the fourth 1000-byte chunk makes it binary: no longer text, and refused.
      const binary = varied(20_000);
      binary[3500] = 0;
      const res = await uploadPut(alice, "notes.txt", binary, { chunked: true, chunkBytes: 1000 });
      await expectError(res, 415, "unsupported_media_type");
      expect(watch.started).toHaveLength(0);
      expect(await filesOf(alice.id)).toEqual(objectsBefore);
      const pdf = await stored(uploadPut(alice, "r.pdf", fixture("report.pdf"), { chunked: true, chunkBytes: 3 }));
      expect(pdf.content_type).toBe("application/pdf");
    } finally {
      watch.restore();
    }
  }, 30_000);
});

describe("download", () => {
  let file: FileDto;
  const bytes = text("0123456789abcdefghij");

  beforeAll(async () => {
    file = await stored(uploadForm(alice, "Résumé «final».txt", bytes));
  });

  const get = (headers: Record<string, string> = {}) =>
    call(`/api/v1/files/${file.id}/content`, { token: alice.accessToken, headers });

  it("sends the headers a download needs", async () => {
    const res = await get();
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toBe(`"${file.sha256}"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const disposition = res.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="R_sum_ _final_.txt"/);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent("Résumé «final».txt")}`);
    await res.arrayBuffer();
  });

  it("serves byte ranges with 206 and Content-Range", async () => {
    const cases: Array<[string, string, string]> = [
      ["bytes=0-4", "01234", "bytes 0-4/20"],
      ["bytes=15-", "fghij", "bytes 15-19/20"],
      ["bytes=-3", "hij", "bytes 17-19/20"],
      ["bytes=18-100", "ij", "bytes 18-19/20"],
    ];
    for (const [range, body, contentRange] of cases) {
      const res = await get({ range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range")).toBe(contentRange);
      expect(res.headers.get("content-length")).toBe(String(body.length));
      expect(await res.text()).toBe(body);
    }
  });

  it("answers an unsatisfiable range with 416 and the size, and ignores ranges it does not serve", async () => {
    const res = await get({ range: "bytes=20-" });
    expect(res.headers.get("content-range")).toBe("bytes */20");
    await expectError(res, 416, "range_not_satisfiable");
    for (const range of ["bytes=0-1,4-5", "lines=1-2", "bytes=abc"]) {
      const whole = await get({ range });
      expect(whole.status, range).toBe(200);
      expect(await whole.text()).toBe("0123456789abcdefghij");
    }
  });

  it("answers If-None-Match with 304 and a stale If-Range with the whole file", async () => {
    const notModified = await get({ "if-none-match": `"${file.sha256}"` });
    expect(notModified.status).toBe(304);
    const stale = await get({ range: "bytes=0-1", "if-range": '"other"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });
});

describe("signed links", () => {
  it("download without credentials until they expire; tampering or expiry is refused", async () => {
    const bytes = text("shared through a link");
    const file = await stored(uploadForm(alice, "link.txt", bytes));
    const created = await call(`/api/v1/files/${file.id}/links`, {
      token: alice.accessToken,
      body: { expires_in: 600 },
    });
    expect(created.status).toBe(201);
    const link = await json<{ url: string; expires_at: string }>(created);
    expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(590_000);
    const url = new URL(link.url);
    const path = `${url.pathname}${url.search}`;
    const res = await call(path);
    expect(res.status).toBe(200);
    expect(await bytesOf(res)).toEqual(bytes);
    const ranged = await call(path, { headers: { range: "bytes=0-5" } });
    expect(await ranged.text()).toBe("shared");

    const tampered = path.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) + 99_999}`);
    await expectError(await call(tampered), 403, "invalid_signature");
    const otherFile = path.replace(file.id, crypto.randomUUID());
    await expectError(await call(otherFile), 403, "invalid_signature");

    const past = await signDownloadLink(env, file.id, Date.now() - 1000);
    const expired = new URL(past.url);
    await expectError(await call(`${expired.pathname}${expired.search}`), 410, "link_expired");

    await call(`/api/v1/files/${file.id}`, { method: "DELETE", token: alice.accessToken });
    await expectError(await call(path), 404, "not_found");
  });

  it("refuses a link longer than the configured maximum", async () => {
    await setConfig("file_limits", { ...CONFIG_REGISTRY.file_limits.default, max_link_seconds: 3600 });
    const file = await stored(uploadForm(alice, "a.txt", text("x")));
    const res = await call(`/api/v1/files/${file.id}/links`, { token: alice.accessToken, body: { expires_in: 7200 } });
    await expectError(res, 422, "expiry_too_long");
  });
});

describe("list and delete", () => {
  it("pages newest first and filters by type, name, status and time", async () => {
    const user = await createUser();
    const before = new Date(Date.now() - 1000).toISOString();
    const a = await stored(uploadForm(user, "alpha-notes.md", text("# Alpha")));
    const b = await stored(uploadForm(user, "beta.json", text('{"b":1}')));
    const c = await stored(uploadForm(user, "gamma-notes.txt", text("gamma")));
    const list = (query: string) =>
      call(`/api/v1/files?${query}`, { token: user.accessToken }).then((res) =>
        json<{ items: FileDto[]; next_cursor: string | null }>(res),
      );
    const first = await list("limit=2");
    expect(first.items.map((f) => f.id)).toEqual([c.id, b.id]);
    const second = await list(`limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((f) => f.id)).toEqual([a.id]);
    expect(second.next_cursor).toBeNull();
    expect((await list("content_type=text/*")).items.map((f) => f.id)).toEqual([c.id, a.id]);
    expect((await list("content_type=application/json")).items.map((f) => f.id)).toEqual([b.id]);
    expect((await list("q=notes")).items.map((f) => f.id)).toEqual([c.id, a.id]);
    expect((await list("q=%25")).items).toEqual([]);
    expect((await list("q=_")).items).toEqual([]);
    // `%` and `_` are characters to find, not wildcards.
    const odd = await stored(uploadForm(user, "report_50%.txt", text("fifty")));
    expect((await list(`q=${encodeURIComponent("50%")}`)).items.map((f) => f.id)).toEqual([odd.id]);
    expect((await list("q=_50")).items.map((f) => f.id)).toEqual([odd.id]);
    expect((await list("q=%25")).items.map((f) => f.id)).toEqual([odd.id]);
    // As a wildcard `_` would match "ort" in the name; as a character it matches nothing.
    expect((await list("q=o_t")).items).toEqual([]);
    await call(`/api/v1/files/${odd.id}`, { method: "DELETE", token: user.accessToken });
    expect((await list(`created_after=${encodeURIComponent(before)}`)).items).toHaveLength(3);
    expect((await list(`created_before=${encodeURIComponent(before)}`)).items).toHaveLength(0);
    expect((await list("status=failed")).items).toHaveLength(0);
  });

  it("deletes the row and every stored object; the id is then unknown", async () => {
    const file = await stored(uploadForm(alice, "gone.txt", text("bye")));
    const res = await call(`/api/v1/files/${file.id}`, { method: "DELETE", token: alice.accessToken });
    expect(res.status).toBe(200);
    await expectError(await call(`/api/v1/files/${file.id}`, { token: alice.accessToken }), 404, "not_found");
    await expectError(await call(`/api/v1/files/${file.id}/content`, { token: alice.accessToken }), 404);
    const listed = await env.FILES.list({ prefix: `users/${alice.id}/files/${file.id}/` });
    expect(listed.objects).toHaveLength(0);
    const audit = await rows<{ action: string }>(
      "SELECT action FROM audit_logs WHERE resource_id = ? ORDER BY created_at",
      file.id,
    );
    expect(audit.map((row) => row.action)).toEqual(["file.upload", "file.delete"]);
  });

  it("shows another user nothing of Alice's files", async () => {
    const file = await stored(uploadForm(alice, "private.txt", text("alice only")));
    for (const path of [`/api/v1/files/${file.id}`, `/api/v1/files/${file.id}/content`]) {
      await expectError(await call(path, { token: bob.accessToken }), 404, "not_found");
    }
    await expectError(await call(`/api/v1/files/${file.id}`, { method: "DELETE", token: bob.accessToken }), 404);
    const list = await json<{ items: FileDto[] }>(await call("/api/v1/files?limit=100", { token: bob.accessToken }));
    expect(list.items.map((f) => f.id)).not.toContain(file.id);
    expect((await call(`/api/v1/files/${file.id}`, { token: alice.accessToken })).status).toBe(200);
  });
});
