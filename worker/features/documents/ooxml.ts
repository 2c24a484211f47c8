/**
 * Opening Office Open XML packages (DOCX, XLSX are ZIP files of XML parts),
 * telling corrupt from encrypted (Office stores a password-protected .docx/.xlsx
 * as an OLE compound file, not a ZIP) and bounding what a hostile ZIP can cost:
 * the central directory is read first (entry count, declared sizes), and each
 * part is inflated lazily, in small steps, stopping once a cap is passed, so a
 * lying size field cannot make us inflate more than the caps.
 */
import { Inflate, strFromU8 } from "fflate";
import { concat } from "../files/storage";
import type { DocumentLimits } from "./limits";
import { DocumentError, tooLarge } from "./model";

export type Package = { part(path: string): string | undefined };

type Entry = { compression: number; size: number; originalSize: number; offset: number };

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** Compressed bytes fed to the inflater per step: bounds what one step can emit (~1,032× this). */
const INFLATE_STEP = 4096;

function corrupt(what: string, reason: string): DocumentError {
  return new DocumentError("corrupt_document", `This ${what} is damaged and cannot be read (${reason})`);
}

/** The central directory: entry name → where its data is and what sizes it declares. */
function readDirectory(bytes: Uint8Array, what: string, limits: DocumentLimits): Map<string, Entry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) {
    if (bytes.length - end > 65_557) break;
    end--;
  }
  if (end < 0 || view.getUint32(end, true) !== 0x06054b50) throw corrupt(what, "no ZIP end record");
  const count = view.getUint16(end + 10, true);
  if (count > limits.max_zip_entries) throw tooLarge("max_zip_entries", limits.max_zip_entries, count);
  const entries = new Map<string, Entry>();
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw corrupt(what, "bad central directory");
    const nameLength = view.getUint16(at + 28, true);
    const name = strFromU8(bytes.subarray(at + 46, at + 46 + nameLength));
    entries.set(name, {
      compression: view.getUint16(at + 10, true),
      size: view.getUint32(at + 20, true),
      originalSize: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  // A ZIP whose end record understates its entries (16-bit count overflow, zip64) is measured by walking it.
  if (at + 4 <= end && view.getUint32(at, true) === 0x02014b50) {
    throw tooLarge("max_zip_entries", limits.max_zip_entries, count + 1);
  }
  return entries;
}

/** Inflates one entry, stopping with `refuse` once it passes `budget` bytes (whatever its header claims). */
function inflateEntry(
  bytes: Uint8Array,
  entry: Entry,
  what: string,
  budget: number,
  refuse: (size: number) => DocumentError,
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.offset + 30 > bytes.length || view.getUint32(entry.offset, true) !== 0x04034b50) {
    throw corrupt(what, "bad local header");
  }
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  const data = bytes.subarray(start, start + entry.size);
  if (entry.compression === 0) return data;
  if (entry.compression !== 8) throw corrupt(what, `unknown compression type ${entry.compression}`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > budget) throw refuse(total);
    chunks.push(chunk);
  });
  try {
    for (let at = 0; at < data.length; at += INFLATE_STEP) {
      inflater.push(data.subarray(at, at + INFLATE_STEP), at + INFLATE_STEP >= data.length);
    }
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw corrupt(what, error instanceof Error ? error.message : "invalid deflate data");
  }
  return concat(chunks, total);
}

export function openPackage(bytes: Uint8Array, what: string, limits: DocumentLimits): Package {
  if (OLE_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new DocumentError(
      "encrypted_document",
      `This ${what} is password-protected (encrypted); remove the password and upload it again`,
    );
  }
  const entries = readDirectory(bytes, what, limits);
  let inflated = 0;
  return {
    part(path) {
      const entry = entries.get(path);
      if (!entry) return undefined;
      if (entry.originalSize > limits.max_part_bytes) {
        throw tooLarge("max_part_bytes", limits.max_part_bytes, entry.originalSize, path);
      }
      const left = limits.max_inflated_bytes - inflated;
      const refuse = (size: number) =>
        size > limits.max_part_bytes
          ? tooLarge("max_part_bytes", limits.max_part_bytes, size, path)
          : tooLarge("max_inflated_bytes", limits.max_inflated_bytes, inflated + size, path);
      const out = inflateEntry(bytes, entry, what, Math.min(limits.max_part_bytes, left), refuse);
      inflated += out.length;
      return strFromU8(out);
    },
  };
}

export function requirePart(pkg: Package, path: string, what: string): string {
  const xml = pkg.part(path);
  if (xml === undefined)
    throw new DocumentError("corrupt_document", `This ${what} has no ${path}; it is not a valid ${what}`);
  return xml;
}
