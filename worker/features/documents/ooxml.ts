/**
 * Opening Office Open XML packages (DOCX, XLSX are ZIP files of XML parts) with
 * fflate, telling corrupt from encrypted: Office stores a password-protected
 * .docx/.xlsx as an OLE compound file, not a ZIP.
 */
import { strFromU8, unzipSync } from "fflate";
import { DocumentError } from "./model";

export type Package = { part(path: string): string | undefined };

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function openPackage(bytes: Uint8Array, what: string): Package {
  if (OLE_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new DocumentError(
      "encrypted_document",
      `This ${what} is password-protected (encrypted); remove the password and upload it again`,
    );
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (file) => file.name.endsWith(".xml") || file.name.endsWith(".rels") });
  } catch (error) {
    throw new DocumentError(
      "corrupt_document",
      `This ${what} is damaged and cannot be read (${error instanceof Error ? error.message : "invalid ZIP"})`,
    );
  }
  return {
    part(path) {
      const entry = entries[path];
      return entry ? strFromU8(entry) : undefined;
    },
  };
}

export function requirePart(pkg: Package, path: string, what: string): string {
  const xml = pkg.part(path);
  if (xml === undefined)
    throw new DocumentError("corrupt_document", `This ${what} has no ${path}; it is not a valid ${what}`);
  return xml;
}
