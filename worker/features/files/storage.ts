/**
 * The R2 side of files: the per-user key layout and writing an upload as it
 * streams in, hashing it (SHA-256) and counting its bytes on the way, so a large
 * upload is never held in memory. Bodies of unknown length go part by part
 * through ./chunked-upload.ts.
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

/**
 * The first `count` bytes of a body (fewer only if it is shorter), read from one
 * branch of a tee; the other branch, returned untouched, still holds every byte
 * and stays a native stream (fast to pipe, no per-chunk JavaScript).
 */
export async function peekHead(body: ReadableStream<Uint8Array>, count: number) {
  const [peek, rest] = body.tee();
  const reader = peek.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < count) {
    const next = await reader.read();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  await reader.cancel();
  return { head: concat(chunks, length).subarray(0, count), rest };
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

export type Stored = { size: number; sha256: string };

/**
 * Streams exactly `length` bytes into R2 at `key`, hashing them (SHA-256) on a
 * tee of the same stream. A body shorter or longer than announced fails the write.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  length: number,
  contentType: string,
): Promise<Stored> {
  const digest = new crypto.DigestStream("SHA-256");
  const [toStore, toHash] = body.tee();
  const [object] = await Promise.all([
    bucket.put(key, toStore.pipeThrough(new FixedLengthStream(length)), { httpMetadata: { contentType } }),
    toHash.pipeTo(digest),
  ]);
  return { size: object?.size ?? length, sha256: toHex(await digest.digest) };
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
