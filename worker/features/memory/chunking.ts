/**
 * Splitting text into chunks for search: paragraphs first, then sentences, then
 * words, packed up to `size` characters, each chunk after the first starting
 * with the last `overlap` characters of the one before (cut at a word), so a
 * passage that straddles a boundary is still found whole in one chunk.
 */

export type ChunkOptions = { size: number; overlap: number };

/** Pieces no longer than `size`: paragraphs, or their sentences, or runs of words. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const trimmed = paragraph.trim();
    if (!trimmed) continue;
    if (trimmed.length <= size) {
      out.push(trimmed);
      continue;
    }
    for (const sentence of trimmed.split(/(?<=[.!?])\s+|\n/)) {
      if (sentence.length <= size) {
        if (sentence.trim()) out.push(sentence.trim());
        continue;
      }
      let run = "";
      for (const word of sentence.split(/\s+/)) {
        if (run && run.length + word.length + 1 > size) {
          out.push(run);
          run = "";
        }
        run = run ? `${run} ${word.slice(0, size)}` : word.slice(0, size);
      }
      if (run) out.push(run);
    }
  }
  return out;
}

function tail(text: string, overlap: number): string {
  if (overlap <= 0 || text.length <= overlap) return overlap > 0 ? text : "";
  const cut = text.slice(-overlap);
  const space = cut.indexOf(" ");
  return space >= 0 ? cut.slice(space + 1) : cut;
}

export function chunkText(text: string, { size, overlap }: ChunkOptions): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const piece of pieces(text, size)) {
    const joined = current ? `${current}\n${piece}` : piece;
    if (joined.length <= size) {
      current = joined;
      continue;
    }
    chunks.push(current);
    const carried = tail(current, Math.min(overlap, size - piece.length - 1));
    current = carried ? `${carried}\n${piece}` : piece;
  }
  if (current) chunks.push(current);
  return chunks;
}
