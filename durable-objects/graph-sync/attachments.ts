/**
 * binary_content rows: the metadata of an entity's binary attachments. The bytes
 * are in R2 (the Worker puts and reads them); each row names its R2 key, its
 * SHA-256 and the entity version that was current when it was attached.
 */
import type { AttachmentState } from "../../shared/graph-sync/protocol";
import { type Ctx, toAttachmentState } from "./context";
import { GraphError, notFound } from "./outcome";
import { requireEntity } from "./queries";
import type { AttachmentRow } from "./storage";

export type NewAttachment = {
  id: string;
  entityId: string;
  contentType: string;
  fileName: string;
  size: number;
  checksum: string;
  r2Key: string;
};

export function addAttachment(ctx: Ctx, input: NewAttachment): AttachmentState {
  const entity = requireEntity(ctx, input.entityId);
  if (entity.deleted) throw new GraphError(409, "entity_deleted", "This entity is deleted", { entity_id: entity.id });
  ctx.sql.exec(
    `INSERT INTO binary_content (id, entity_id, entity_version, content_type, file_name, size, checksum, r2_key,
       created_at, deleted_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
    input.id,
    entity.id,
    entity.version,
    input.contentType,
    input.fileName,
    input.size,
    input.checksum,
    input.r2Key,
    ctx.now(),
    ctx.meta.nextSeq(),
  );
  ctx.touched.attachments.add(input.id);
  return toAttachmentState(getAttachmentRow(ctx, input.id));
}

export function getAttachmentRow(ctx: Pick<Ctx, "sql">, id: string): AttachmentRow {
  const row = ctx.sql.exec<AttachmentRow>("SELECT * FROM binary_content WHERE id = ?", id).toArray()[0];
  if (!row) throw notFound("attachment", id);
  return row;
}

export function listAttachments(ctx: Pick<Ctx, "sql">, entityId: string): AttachmentState[] {
  requireEntity(ctx, entityId);
  return ctx.sql
    .exec<AttachmentRow>(
      "SELECT * FROM binary_content WHERE entity_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
      entityId,
    )
    .toArray()
    .map(toAttachmentState);
}

/** Marks an attachment deleted; the caller removes the bytes from R2 (`r2Key`). */
export function deleteAttachment(ctx: Ctx, id: string): { attachment: AttachmentState; r2Key: string } {
  const row = getAttachmentRow(ctx, id);
  if (row.deleted_at === null) {
    ctx.sql.exec("UPDATE binary_content SET deleted_at = ?, seq = ? WHERE id = ?", ctx.now(), ctx.meta.nextSeq(), id);
    ctx.touched.attachments.add(id);
  }
  return { attachment: toAttachmentState(getAttachmentRow(ctx, id)), r2Key: row.r2_key };
}
