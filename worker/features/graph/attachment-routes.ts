/**
 * Binary attachments of entities: bytes in R2 under the user's prefix, metadata
 * (content type, name, size, SHA-256, the entity version it was attached to) in
 * the user's GraphSync. Upload is base64 in JSON, like every body of this API (so it
 * stays under the 1 MiB body limit); download streams the raw bytes from R2.
 */
import { z } from "@hono/zod-openapi";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { putAttachment, readAttachment } from "./attachments";
import { AttachmentList, AttachmentUpload, EntityIdParam, GraphAttachment, MAX_ATTACHMENT_BYTES } from "./schemas";
import { graphOf, unwrap } from "./service";

export const attachmentRoutes = createRouter();
const tags = ["Graph"];
const Binary = z.string().openapi({ type: "string", format: "binary" });

attachmentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/entities/{id}/attachments",
    tags,
    summary: `Attach a file to an entity (base64 in JSON, up to ${MAX_ATTACHMENT_BYTES / 1024} KiB)`,
    scopes: ["graph:write"],
    request: { params: EntityIdParam, ...jsonBody(AttachmentUpload) },
    responses: { 201: jsonResponse("Attached", GraphAttachment), ...errorResponses(404, 409, 413, 415) },
  }),
  async (c) => {
    const upload = c.req.valid("json");
    const attachment = await putAttachment(c.env, c.var.principal.userId, {
      entityId: c.req.valid("param").id,
      fileName: upload.file_name,
      contentType: upload.content_type,
      dataBase64: upload.data_base64,
    });
    return c.json(attachment, 201);
  },
);

attachmentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/entities/{id}/attachments",
    tags,
    summary: "An entity's attachments, newest first",
    scopes: ["graph:read"],
    request: { params: EntityIdParam },
    responses: { 200: jsonResponse("Attachments", AttachmentList), ...errorResponses(404) },
  }),
  async (c) => {
    const items = await unwrap(graphOf(c.env, c.var.principal.userId).listAttachments(c.req.valid("param").id));
    return c.json({ items }, 200);
  },
);

attachmentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/attachments/{id}",
    tags,
    summary: "Download an attachment's bytes",
    scopes: ["graph:read"],
    request: { params: EntityIdParam },
    responses: {
      200: {
        description: "The bytes, with ETag = their SHA-256",
        content: { "application/octet-stream": { schema: Binary } },
      },
      ...errorResponses(404),
    },
  }),
  async (c) => {
    const { row, object } = await readAttachment(c.env, c.var.principal.userId, c.req.valid("param").id);
    const name = encodeURIComponent(row.file_name);
    return new Response(object.body, {
      headers: {
        "content-type": row.content_type,
        "content-length": String(row.size),
        "content-disposition": `attachment; filename*=UTF-8''${name}`,
        etag: `"${row.checksum.replace("sha256:", "")}"`,
        "x-content-sha256": row.checksum.replace("sha256:", ""),
      },
    });
  },
);

attachmentRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/graph/attachments/{id}",
    tags,
    summary: "Delete an attachment (its record stays, marked deleted; the bytes go)",
    scopes: ["graph:write"],
    request: { params: EntityIdParam },
    responses: { 200: jsonResponse("The deleted attachment", GraphAttachment), ...errorResponses(404) },
  }),
  async (c) => {
    const { attachment, r2Key } = await unwrap(
      graphOf(c.env, c.var.principal.userId).deleteAttachment(c.req.valid("param").id),
    );
    await c.env.FILES.delete(r2Key);
    return c.json(attachment, 200);
  },
);
