/**
 * Uploads of unknown length (a PUT without Content-Length, sent chunked): the
 * body goes to R2 part by part through a multipart upload, so at most one part is
 * held in memory. Bytes are counted and hashed (SHA-256, `crypto.DigestStream`) as
 * they arrive; the first ones are sniffed before anything is stored. Passing the
 * limit mid-stream aborts the multipart upload, so nothing is left behind. A body
 * shorter than one part is stored with a single put. Called by ./service.ts.
 */
import { toHex } from "../../lib/encoding";
import { SNIFF_BYTES } from "./sniff";
import { concat, type Stored, tooLargeError } from "./storage";

/**
 * R2 wants every part but the last at least 5 MiB and all of the same size.
 * 8 MiB keeps memory low (one part in flight) and allows 10,000 parts × 8 MiB = 80 GB.
 */
export const PART_BYTES = 8 * 1024 * 1024;

export type ChunkedOptions = {
  maxBytes: number;
  /** The stored content type from the first bytes (up to SNIFF_BYTES); throws to refuse the upload. */
  typeOf: (head: Uint8Array) => string;
  partBytes?: number;
};

/** Buffers arriving chunks and hands them on as parts of exactly `partBytes`. */
class PartBuffer {
  #chunks: Uint8Array[] = [];
  length = 0;

  constructor(readonly partBytes: number) {}

  push(chunk: Uint8Array) {
    this.#chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  /** The bytes buffered so far (at most `count`), without taking them out. */
  peek(count: number): Uint8Array {
    return concat(this.#chunks, this.length).subarray(0, count);
  }

  /** Takes out one full part, or whatever is left when `rest` is set; undefined when there is none. */
  take(rest = false): Uint8Array | undefined {
    if (this.length === 0 || (!rest && this.length < this.partBytes)) return undefined;
    const all = concat(this.#chunks, this.length);
    const size = rest ? all.byteLength : this.partBytes;
    const remainder = all.subarray(size);
    this.#chunks = remainder.byteLength ? [remainder] : [];
    this.length = remainder.byteLength;
    return all.subarray(0, size);
  }
}

/** The R2 side: nothing is created until a first full part exists. */
class PartWriter {
  #upload: R2MultipartUpload | undefined;
  #parts: R2UploadedPart[] = [];

  constructor(
    readonly bucket: R2Bucket,
    readonly key: string,
    readonly contentType: string,
  ) {}

  async write(part: Uint8Array) {
    this.#upload ??= await this.bucket.createMultipartUpload(this.key, {
      httpMetadata: { contentType: this.contentType },
    });
    this.#parts.push(await this.#upload.uploadPart(this.#parts.length + 1, part));
  }

  /** Completes the multipart upload, or stores a short body in one put. */
  async finish(last: Uint8Array | undefined) {
    if (!this.#upload) {
      await this.bucket.put(this.key, last ?? new Uint8Array(), { httpMetadata: { contentType: this.contentType } });
      return;
    }
    if (last) await this.write(last);
    await this.#upload.complete(this.#parts);
  }

  async abort() {
    await this.#upload?.abort();
  }
}

/**
 * Streams a body of unknown length into R2 at `key`. Throws 413 as soon as it
 * passes `maxBytes` and whatever `typeOf` throws; in both cases nothing is stored.
 */
export async function putChunked(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  options: ChunkedOptions,
): Promise<Stored & { contentType: string }> {
  const reader = body.getReader();
  const buffer = new PartBuffer(options.partBytes ?? PART_BYTES);
  const digest = new crypto.DigestStream("SHA-256");
  const hash = digest.getWriter();
  let writer: PartWriter | undefined;
  let size = 0;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      size += next.value.byteLength;
      if (size > options.maxBytes) throw tooLargeError(options.maxBytes);
      await hash.write(next.value);
      buffer.push(next.value);
      if (!writer && buffer.length >= SNIFF_BYTES) {
        writer = new PartWriter(bucket, key, options.typeOf(buffer.peek(SNIFF_BYTES)));
      }
      for (let part = buffer.take(); part && writer; part = buffer.take()) await writer.write(part);
    }
    writer ??= new PartWriter(bucket, key, options.typeOf(buffer.peek(SNIFF_BYTES)));
    await writer.finish(buffer.take(true));
    await hash.close();
    return { size, sha256: toHex(await digest.digest), contentType: writer.contentType };
  } catch (error) {
    // Aborting the hash rejects its digest, which nobody will read now.
    digest.digest.catch(() => undefined);
    await Promise.allSettled([reader.cancel(), hash.abort(), writer?.abort()]);
    throw error;
  }
}
