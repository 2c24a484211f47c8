/**
 * Helpers for file tests: uploads through the public API (multipart form and
 * streaming PUT), and the committed document fixtures (test/fixtures/documents,
 * kept as base64 text because workerd tests import files as text).
 */
import { exports } from "cloudflare:workers";
import encryptedPdf from "../../fixtures/documents/encrypted.pdf.b64?raw";
import reportDocx from "../../fixtures/documents/report.docx.b64?raw";
import reportPdf from "../../fixtures/documents/report.pdf.b64?raw";
import salesXlsx from "../../fixtures/documents/sales.xlsx.b64?raw";
import { BASE, json, type TestUser } from "./api";

const FIXTURES = {
  "report.docx": reportDocx,
  "sales.xlsx": salesXlsx,
  "report.pdf": reportPdf,
  "encrypted.pdf": encryptedPdf,
};

export function fixture(name: keyof typeof FIXTURES): Uint8Array {
  return Uint8Array.from(atob(FIXTURES[name].trim()), (char) => char.charCodeAt(0));
}

export const text = (value: string) => new TextEncoder().encode(value);

export type FileDto = {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  metadata: Record<string, unknown>;
  session_id: string | null;
  extraction: { status: string; error: { code: string; message: string } | null };
  indexed_at: string | null;
};

type Credential = { token?: string; apiKey?: string };

function authHeaders(who: Credential): Record<string, string> {
  if (who.apiKey) return { "x-api-key": who.apiKey };
  return who.token ? { authorization: `Bearer ${who.token}` } : {};
}

/** POST /files as multipart/form-data. */
export function uploadForm(
  who: TestUser | Credential,
  filename: string,
  bytes: Uint8Array,
  options: { type?: string; fields?: Record<string, string> } = {},
) {
  const form = new FormData();
  form.set("file", new File([bytes], filename, { type: options.type ?? "" }));
  for (const [name, value] of Object.entries(options.fields ?? {})) form.set(name, value);
  const credential = "accessToken" in who ? { token: who.accessToken } : who;
  return exports.default.fetch(
    new Request(`${BASE}/api/v1/files`, { method: "POST", headers: authHeaders(credential), body: form }),
  );
}

/** A stream of `bytes` in chunks of `chunkBytes`, pulled one at a time; it has no length. */
export function chunkedStream(bytes: Uint8Array, chunkBytes = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}

/** PUT /files with the raw bytes; `chunked` streams them without a Content-Length, in `chunkBytes` pieces. */
export function uploadPut(
  who: TestUser,
  filename: string,
  bytes: Uint8Array,
  options: { type?: string; chunked?: boolean; chunkBytes?: number; query?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...authHeaders({ token: who.accessToken }) };
  if (options.type) headers["content-type"] = options.type;
  const query = new URLSearchParams({ filename, ...options.query });
  const body: BodyInit = options.chunked ? chunkedStream(bytes, options.chunkBytes) : bytes;
  return exports.default.fetch(new Request(`${BASE}/api/v1/files?${query}`, { method: "PUT", headers, body }));
}

/** Uploads and returns the stored file, failing the test on anything but 201. */
export async function stored(response: Promise<Response> | Response): Promise<FileDto> {
  const res = await response;
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return json<FileDto>(res);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** GET /memories/search's path for a query and its options (tags joined with commas). */
export function memorySearchPath(query: string, options: Record<string, unknown> = {}): string {
  const params = new URLSearchParams({ q: query });
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) params.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  return `/api/v1/memories/search?${params}`;
}
