/**
 * Content-type sniffing for uploads: the bytes decide, not the name or the header
 * a client sent. Those only pick among types the bytes allow (which text format,
 * which ZIP-based Office format). Executables are refused whatever the settings say.
 * Used by the upload service before anything is stored.
 */

export const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** How many leading bytes sniffing reads. */
export const SNIFF_BYTES = 4096;

export type Sniffed = { ok: true; contentType: string } | { ok: false; reason: string };

const startsWith = (bytes: Uint8Array, ...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
const ascii = (bytes: Uint8Array, from: number, text: string) =>
  [...text].every((char, i) => bytes[from + i] === char.charCodeAt(0));

const EXECUTABLES: Array<[string, number[]]> = [
  ["a Windows executable", [0x4d, 0x5a]],
  ["an ELF executable", [0x7f, 0x45, 0x4c, 0x46]],
  ["a Mach-O executable", [0xcf, 0xfa, 0xed, 0xfe]],
  ["a Mach-O executable", [0xce, 0xfa, 0xed, 0xfe]],
  ["a Mach-O executable", [0xfe, 0xed, 0xfa, 0xcf]],
  ["a Mach-O executable", [0xca, 0xfe, 0xba, 0xbe]],
  ["a script", [0x23, 0x21]],
];

const TEXT_BY_EXTENSION: Record<string, string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
  log: "text/plain",
};

const TEXT_DECLARED = new Set(Object.values(TEXT_BY_EXTENSION));

export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : "";
}

function binaryType(head: Uint8Array): string | undefined {
  if (ascii(head, 0, "%PDF-")) return "application/pdf";
  if (startsWith(head, 0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (startsWith(head, 0xff, 0xd8, 0xff)) return "image/jpeg";
  if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) return "image/gif";
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return "image/webp";
  return undefined;
}

/** ZIP (and OLE, which is how Office stores an encrypted .docx/.xlsx): which Office format, if any. */
function containerType(head: Uint8Array, ext: string, declared: string): string | undefined {
  const zip = startsWith(head, 0x50, 0x4b, 0x03, 0x04);
  const ole = startsWith(head, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
  if (!zip && !ole) return undefined;
  const names = zip ? new TextDecoder("latin1").decode(head) : "";
  if (ext === "docx" || declared === DOCX || names.includes("word/")) return DOCX;
  if (ext === "xlsx" || declared === XLSX || names.includes("xl/")) return XLSX;
  return zip ? "application/zip" : "application/x-ole-storage";
}

function isText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // A multi-byte character may be cut at the end of the sniffed window; drop up to 3 bytes.
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(head.subarray(0, Math.max(0, head.length - 3)));
    return true;
  } catch {
    return false;
  }
}

function textType(head: Uint8Array, ext: string, declared: string): string {
  const byExtension = TEXT_BY_EXTENSION[ext];
  if (byExtension) return byExtension;
  if (TEXT_DECLARED.has(declared)) return declared;
  const start = new TextDecoder().decode(head.subarray(0, 512)).trimStart().toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "text/html";
  return "text/plain";
}

/** The type of an upload from its first bytes, its name and the declared type (lowercase, no parameters). */
export function sniff(head: Uint8Array, filename: string, declared: string): Sniffed {
  for (const [what, magic] of EXECUTABLES) {
    if (startsWith(head, ...magic)) return { ok: false, reason: `The file is ${what}; executables are not accepted` };
  }
  const ext = extensionOf(filename);
  const contentType =
    binaryType(head) ??
    containerType(head, ext, declared) ??
    (isText(head) ? textType(head, ext, declared) : "application/octet-stream");
  return { ok: true, contentType };
}

/** Whether `contentType` matches an allow-list entry (`text/*` or an exact type). */
export function isAllowedType(contentType: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) =>
    entry.endsWith("/*") ? contentType.startsWith(entry.slice(0, -1)) : entry === contentType,
  );
}

/** `Content-Type` without parameters, lowercased; "" when absent. */
export function mediaType(header: string | null | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}
