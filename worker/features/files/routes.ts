/**
 * /api/v1/files: upload (multipart form or streaming PUT), list, read, download
 * with ranges, signed links, delete. Document routes (extraction, conversion,
 * tables) are in ../documents/routes.ts.
 */
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../context";
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { tooLarge } from "../../middleware/body";
import { createRoute, createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { getConfig } from "../config/service";
import { forgetFile } from "../knowledge/indexer";
import { serveFile } from "./download";
import { signDownloadLink, verifyDownloadLink } from "./links";
import {
  CreateLinkBody,
  FileIdParam,
  FileLinkSchema,
  FileListQuery,
  FilePageSchema,
  FileSchema,
  SignedDownloadQuery,
  toFile,
  UploadForm,
  UploadQuery,
} from "./schemas";
import { deleteFileRow, getOwnFile, listFiles, touchFile, uploadFile } from "./service";
import { mediaType } from "./sniff";
import { deleteFileObjects } from "./storage";

export const fileRoutes = createRouter();

/** Room for the multipart envelope (boundaries, part headers, small fields) around the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** The multipart route's body limit comes from settings, so it is built per request. */
const formBodyLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { max_upload_bytes: max } = await getConfig(c.env, "file_limits");
  if (!/^multipart\/form-data/i.test(c.req.header("content-type") ?? "")) {
    throw new AppError(415, "unsupported_media_type", "Send the file as multipart/form-data (or PUT the raw bytes)");
  }
  return bodyLimit({ maxSize: max + FORM_OVERHEAD_BYTES, onError: tooLarge(max) })(c, next);
};

const BINARY = { schema: z.string().openapi({ type: "string", format: "binary" }) };

function parseMetadata(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const parsed = z.record(z.string(), z.unknown()).safeParse(
    (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) throw new AppError(400, "validation_failed", "metadata must be a JSON object");
  return parsed.data;
}

fileRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files",
    tags: ["Files"],
    summary: "Upload a file (multipart form)",
    description:
      "The bytes decide the content type (executables and types outside `file_limits.allowed_types` get 415); larger than `file_limits.max_upload_bytes` gets 413. Text is extracted in the background.",
    scopes: ["files:write"],
    middleware: [formBodyLimit],
    request: { body: { required: true, content: { "multipart/form-data": { schema: UploadForm } } } },
    responses: { 201: jsonResponse("Stored", FileSchema), ...errorResponses(404, 413, 415) },
  }),
  async (c) => {
    const form = c.req.valid("form");
    const row = await uploadFile(
      c.env,
      c.var.principal,
      {
        filename: form.filename ?? (form.file.name || "upload"),
        declaredType: mediaType(form.file.type),
        body: new Uint8Array(await form.file.arrayBuffer()),
        sessionId: form.session_id,
        taskId: form.task_id,
        metadata: parseMetadata(form.metadata),
        index: form.index === "true",
      },
      requestMeta(c),
    );
    return c.json(toFile(row), 201);
  },
);

fileRoutes.openapi(
  securedRoute({
    method: "put",
    path: "/files",
    tags: ["Files"],
    summary: "Upload a file as a raw streaming body",
    description:
      "Streams to storage without buffering the body: with `Content-Length` in one pass, without it (chunked) through an R2 multipart upload in 8 MiB parts. Passing the limit mid-stream answers 413 and stores nothing. Same checks as the form upload.",
    scopes: ["files:write"],
    request: {
      query: UploadQuery,
      body: { required: true, content: { "application/octet-stream": BINARY } },
    },
    responses: { 201: jsonResponse("Stored", FileSchema), ...errorResponses(404, 413, 415) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const declaredLength = c.req.header("content-length");
    const length = declaredLength === undefined ? undefined : Number(declaredLength);
    if (length !== undefined && !Number.isSafeInteger(length)) {
      throw new AppError(400, "bad_request", "Content-Length is not a number");
    }
    const body = c.req.raw.body;
    if (!body || length === 0) throw new AppError(400, "empty_file", "The file is empty");
    const row = await uploadFile(
      c.env,
      c.var.principal,
      {
        filename: query.filename,
        declaredType: mediaType(c.req.header("content-type")),
        body,
        length,
        sessionId: query.session_id,
        taskId: query.task_id,
        index: query.index === "true",
      },
      requestMeta(c),
    );
    return c.json(toFile(row), 201);
  },
);

fileRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/files",
    tags: ["Files"],
    summary: "List your files, newest first",
    scopes: ["files:read"],
    request: { query: PageQuerySchema.extend(FileListQuery.shape) },
    responses: { 200: jsonResponse("A page of files", FilePageSchema) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await listFiles(getDb(c.env), c.var.principal.userId, {
      limit: query.limit,
      cursor: query.cursor,
      contentType: query.content_type,
      q: query.q,
      sessionId: query.session_id,
      status: query.status,
      createdAfter: query.created_after,
      createdBefore: query.created_before,
    });
    return c.json({ items: page.items.map(toFile), next_cursor: page.next_cursor }, 200);
  },
);

fileRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/files/{id}",
    tags: ["Files"],
    summary: "Read a file's metadata and extraction status",
    scopes: ["files:read"],
    request: { params: FileIdParam },
    responses: { 200: jsonResponse("The file", FileSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(toFile(await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

fileRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/files/{id}/content",
    tags: ["Files"],
    summary: "Download a file (supports Range and If-None-Match)",
    scopes: ["files:read"],
    request: { params: FileIdParam },
    responses: {
      200: { description: "The whole file", content: { "application/octet-stream": BINARY } },
      206: { description: "The requested byte range", content: { "application/octet-stream": BINARY } },
      304: { description: "Not modified (ETag matched)" },
      ...errorResponses(404, 416),
    },
  }),
  async (c) => {
    const db = getDb(c.env);
    const row = await getOwnFile(db, c.var.principal.userId, c.req.valid("param").id);
    c.executionCtx.waitUntil(touchFile(db, row));
    return serveFile(c.env, row, c.req.raw);
  },
);

fileRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files/{id}/links",
    tags: ["Files"],
    summary: "Make a time-limited download link that needs no credentials",
    scopes: ["files:read"],
    request: { params: FileIdParam, ...jsonBody(CreateLinkBody) },
    responses: { 201: jsonResponse("The link", FileLinkSchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    const row = await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const { expires_in } = c.req.valid("json");
    const { max_link_seconds } = await getConfig(c.env, "file_limits");
    if (expires_in > max_link_seconds) {
      throw new AppError(422, "expiry_too_long", `Links may last at most ${max_link_seconds} seconds`, {
        max_seconds: max_link_seconds,
      });
    }
    return c.json(await signDownloadLink(c.env, row.id, Date.now() + expires_in * 1000), 201);
  },
);

fileRoutes.openapi(
  createRoute({
    method: "get",
    path: "/files/{id}/download",
    tags: ["Files"],
    summary: "Download through a signed link (no credentials; the signature is the permission)",
    request: { params: FileIdParam, query: SignedDownloadQuery },
    responses: {
      200: { description: "The whole file", content: { "application/octet-stream": BINARY } },
      206: { description: "The requested byte range", content: { "application/octet-stream": BINARY } },
      ...errorResponses(400, 403, 404, 410, 416),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { expires, signature } = c.req.valid("query");
    await verifyDownloadLink(c.env, id, expires, signature);
    const row = await getDb(c.env).query.files.findFirst({ where: (files, { eq }) => eq(files.id, id) });
    if (!row) throw new AppError(404, "not_found", "File not found");
    return serveFile(c.env, row, c.req.raw);
  },
);

fileRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/files/{id}",
    tags: ["Files"],
    summary: "Delete a file, its extracted text and any knowledge indexed from it",
    scopes: ["files:write"],
    request: { params: FileIdParam },
    responses: { 200: jsonResponse("Deleted", FileSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const db = getDb(c.env);
    const { userId } = c.var.principal;
    const row = await getOwnFile(db, userId, c.req.valid("param").id);
    await forgetFile(c.env, userId, row.id);
    await deleteFileRow(db, c.var.principal, row, requestMeta(c));
    await deleteFileObjects(c.env.FILES, userId, row.id);
    return c.json(toFile(row), 200);
  },
);
