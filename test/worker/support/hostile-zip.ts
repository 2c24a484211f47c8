/**
 * Hostile Office files for the document-limit tests, built in the test: a ZIP
 * writer that lets an entry declare any size (or lie about it), and a deflate
 * stream that inflates to a gigabyte while staying a few megabytes long.
 */
import { strToU8, zipSync } from "fflate";
import { concat } from "../../../worker/features/files/storage";

export type RawEntry = { name: string; data: Uint8Array; deflated?: boolean; declaredSize?: number };

/** A ZIP whose central directory says what `entries` declare; the end record's count is 16-bit, as in plain ZIP. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = strToU8(entry.name);
    const header = (size: number, signature: number) => {
      const bytes = new Uint8Array(size + name.length);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, signature, true);
      return { bytes, view };
    };
    const local = header(30, 0x04034b50);
    local.view.setUint16(8, entry.deflated ? 8 : 0, true);
    local.view.setUint32(18, entry.data.length, true);
    local.view.setUint32(22, entry.declaredSize ?? entry.data.length, true);
    local.view.setUint16(26, name.length, true);
    local.bytes.set(name, 30);
    const dir = header(46, 0x02014b50);
    dir.view.setUint16(10, entry.deflated ? 8 : 0, true);
    dir.view.setUint32(20, entry.data.length, true);
    dir.view.setUint32(24, entry.declaredSize ?? entry.data.length, true);
    dir.view.setUint16(28, name.length, true);
    dir.view.setUint32(42, offset, true);
    dir.bytes.set(name, 46);
    locals.push(local.bytes, entry.data);
    central.push(dir.bytes);
    offset += local.bytes.length + entry.data.length;
  }
  const centralSize = central.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, entries.length & 0xffff, true);
  view.setUint16(10, entries.length & 0xffff, true);
  view.setUint32(12, centralSize, true);
  view.setUint32(16, offset, true);
  return concat([...locals, ...central, end]);
}

/**
 * Raw deflate of `prefix` then "A" repeated to `megabytes` MiB in all, written by hand:
 * a stored block with the prefix and one "A", then a fixed-Huffman block of copies of
 * 258 bytes from distance 1 (13 bits each), so a gigabyte is about 6.5 MB.
 */
export function bomb(prefix: string, megabytes: number): Uint8Array {
  const head = strToU8(`${prefix}A`);
  const copies = Math.ceil((megabytes * 1024 * 1024 - head.length) / 258);
  const out = new Uint8Array(5 + head.length + Math.ceil((3 + copies * 13 + 7) / 8));
  out.set([0, head.length & 0xff, head.length >> 8, ~head.length & 0xff, (~head.length >> 8) & 0xff]);
  out.set(head, 5);
  let at = 5 + head.length;
  let bits = 0;
  let used = 0;
  const put = (value: number, count: number) => {
    bits |= value << used;
    used += count;
    while (used >= 8) {
      out[at++] = bits & 0xff;
      bits >>>= 8;
      used -= 8;
    }
  };
  put(0b011, 3); // final block, fixed Huffman
  // Length code 285 (258 bytes) is 11000101, written bit-reversed; distance code 0 (1 byte back) is 00000.
  for (let i = 0; i < copies; i++) put(0b10100011, 13);
  put(0, 7); // end of block
  if (used) out[at] = bits;
  return out;
}

const WORKBOOK = `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" r:id="rId1"/></sheets></workbook>`;
const RELS = `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`;

/** A minimal workbook of one sheet whose XML is `sheetXml`, plus any `extra` entries. */
export function workbook(sheetXml: string, extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    "xl/workbook.xml": strToU8(WORKBOOK),
    "xl/_rels/workbook.xml.rels": strToU8(RELS),
    "xl/worksheets/sheet1.xml": strToU8(sheetXml),
    ...extra,
  });
}

export const WORKBOOK_ENTRIES: RawEntry[] = [
  { name: "xl/workbook.xml", data: strToU8(WORKBOOK) },
  { name: "xl/_rels/workbook.xml.rels", data: strToU8(RELS) },
];
