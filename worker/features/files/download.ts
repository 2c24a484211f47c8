/**
 * Serving a file's bytes from R2: single byte ranges (206 with Content-Range,
 * 416 when unsatisfiable), conditional requests on the SHA-256 ETag (304), and
 * headers that make browsers download rather than render (Content-Disposition
 * attachment, nosniff, a sandboxing CSP). Used by the authenticated download
 * route and by signed links.
 */
import { AppError } from "../../errors";
import type { FileRow } from "./service";

export type ByteRange = { offset: number; length: number };

/**
 * The one range a `Range` header asks for, clamped to the file. `undefined` means
 * "send it all" (no header, a syntax we ignore, or several ranges); `null` means
 * unsatisfiable.
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | null | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (!match[1] && !match[2])) return undefined;
  if (!match[1]) {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return null;
    return { offset: Math.max(0, size - suffix), length: Math.min(suffix, size) };
  }
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (start >= size || end < start) return null;
  return { offset: start, length: end - start + 1 };
}

/** `attachment; filename="…"; filename*=UTF-8''…` with a safe ASCII fallback. */
export function contentDisposition(filename: string, disposition: "attachment" | "inline" = "attachment") {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export async function serveFile(env: Env, row: FileRow, request: Request): Promise<Response> {
  const etag = `"${row.sha256}"`;
  const headers = new Headers({
    "accept-ranges": "bytes",
    etag,
    "last-modified": new Date(row.createdAt).toUTCString(),
    "cache-control": "private, max-age=0, must-revalidate",
    "content-disposition": contentDisposition(row.filename),
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'",
  });
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    return new Response(null, { status: 304, headers });
  }
  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? undefined : parseRange(request.headers.get("range"), row.size);
  if (range === null) {
    throw new AppError(
      416,
      "range_not_satisfiable",
      `The file has ${row.size} bytes; that range is outside it`,
      {
        size: row.size,
      },
      { "content-range": `bytes */${row.size}` },
    );
  }
  const object = await env.FILES.get(row.storagePath, range ? { range } : {});
  if (!object) throw new AppError(404, "not_found", "The file's content is missing");
  headers.set("content-type", row.contentType);
  if (request.method === "HEAD") await object.body.cancel();
  if (!range) {
    headers.set("content-length", String(row.size));
    return new Response(request.method === "HEAD" ? null : object.body, { status: 200, headers });
  }
  headers.set("content-length", String(range.length));
  headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${row.size}`);
  return new Response(request.method === "HEAD" ? null : object.body, { status: 206, headers });
}
