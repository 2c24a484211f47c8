/**
 * The R2 side of files: the per-user key layout and writing an upload as it
 * streams in, hashing it (SHA-256) and counting its bytes on the way, so a large
 * upload is never held in memory when its length is known.
 *
 * Layout: `users/<user_id>/files/<file_id>/original` for the bytes as uploaded,
 * `…/extracted.json` for what extraction found. Deleting a file deletes the prefix.
 */
import { AppError } from "../../errors";
import { toHex } from "../../lib/encoding";

export const fileKey = (userId: string, fileId: string) => `users/${userId}/files/${fileId}/original`;
export const extractedKey = (userId: string, fileId: string) => `users/${userId}/files/${fileId}/extracted.json`;
const filePrefix = (userId: string, fileId: string) => `users/${userId}/files/${fileId}/`;

export function tooLargeError(maxBytes: number) {
  return new AppError(413, "payload_too_large", `The file exceeds the upload limit of ${maxBytes} bytes`, {
    max_bytes: maxBytes,
  });
}

/** Reads at least `count` bytes (fewer only at the end); returns them and a stream of the rest. */
export async function readHead(body: ReadableStream<Uint8Array>, count: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < count) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  const head = concat(chunks, length);
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close();
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { head, rest };
}

export function concat(chunks: Uint8Array[], length = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0)) {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Reads a body of unknown length into memory, refusing it once it passes `maxBytes`. */
export async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.byteLength;
    if (length > maxBytes) throw tooLargeError(maxBytes);
    chunks.push(chunk);
  }
  return concat(chunks, length);
}

export type Stored = { size: number; sha256: string };

/**
 * Streams `head` then `rest` (exactly `length` bytes in all) into R2 at `key`,
 * computing SHA-256 alongside. A body shorter or longer than announced fails the write.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  parts: { head: Uint8Array; rest: ReadableStream<Uint8Array>; length: number },
  contentType: string,
): Promise<Stored> {
  const digest = new crypto.DigestStream("SHA-256");
  const fixed = new FixedLengthStream(parts.length);
  const hashWriter = digest.getWriter();
  const pump = (async () => {
    const writer = fixed.writable.getWriter();
    try {
      await Promise.all([writer.write(parts.head), hashWriter.write(parts.head)]);
      for await (const chunk of parts.rest) await Promise.all([writer.write(chunk), hashWriter.write(chunk)]);
      await Promise.all([writer.close(), hashWriter.close()]);
    } catch (error) {
      await writer.abort(error).catch(() => {});
      throw error;
    }
  })();
  const [object] = await Promise.all([bucket.put(key, fixed.readable, { httpMetadata: { contentType } }), pump]);
  return { size: object?.size ?? parts.length, sha256: toHex(await digest.digest) };
}

/** Stores bytes already in memory. */
export async function putBytes(bucket: R2Bucket, key: string, bytes: Uint8Array, contentType: string) {
  const [sha] = await Promise.all([
    crypto.subtle.digest("SHA-256", bytes),
    bucket.put(key, bytes, { httpMetadata: { contentType } }),
  ]);
  return { size: bytes.byteLength, sha256: toHex(sha) };
}

/** Removes every object of a file (original, extraction). */
export async function deleteFileObjects(bucket: R2Bucket, userId: string, fileId: string) {
  const listed = await bucket.list({ prefix: filePrefix(userId, fileId) });
  if (listed.objects.length) await bucket.delete(listed.objects.map((object) => object.key));
}
