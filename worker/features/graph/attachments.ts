/**
 * Attachments for routes and MCP tools alike: bytes to R2 under the user's prefix
 * with their SHA-256, metadata to the user's GraphSync (the R2 object is removed
 * again if the entity turns out not to exist), and reading them back.
 */
import type { AttachmentState } from "../../../shared/graph-sync/protocol";
import { AppError } from "../../errors";
import { toHex } from "../../lib/encoding";
import { newId } from "../../lib/ids";
import { MAX_ATTACHMENT_BYTES } from "./schemas";
import { attachmentKey, graphOf, unwrap } from "./service";

export type AttachmentUpload = { entityId: string; fileName: string; contentType: string; dataBase64: string };

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function putAttachment(env: Env, userId: string, upload: AttachmentUpload): Promise<AttachmentState> {
  const bytes = fromBase64(upload.dataBase64);
  if (bytes.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new AppError(413, "payload_too_large", `Attachments are at most ${MAX_ATTACHMENT_BYTES} bytes`);
  }
  const id = newId();
  const checksum = toHex(await crypto.subtle.digest("SHA-256", bytes));
  const key = attachmentKey(userId, upload.entityId, id);
  await env.FILES.put(key, bytes, { httpMetadata: { contentType: upload.contentType }, sha256: checksum });
  try {
    return await unwrap(
      graphOf(env, userId).addAttachment({
        id,
        entityId: upload.entityId,
        contentType: upload.contentType,
        fileName: upload.fileName,
        size: bytes.byteLength,
        checksum: `sha256:${checksum}`,
        r2Key: key,
      }),
    );
  } catch (error) {
    await env.FILES.delete(key);
    throw error;
  }
}

/** An attachment's record and its bytes from R2; 404 when it is unknown, deleted or its bytes are gone. */
export async function readAttachment(env: Env, userId: string, id: string) {
  const row = await unwrap(graphOf(env, userId).getAttachment(id));
  const object = row.deleted_at === null ? await env.FILES.get(row.r2_key) : null;
  if (!object) throw new AppError(404, "unknown_attachment", "No such attachment in your graph");
  return { row, object };
}
