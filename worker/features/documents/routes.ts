/**
 * Document routes on /api/v1/files/{id}: the extracted text and structure, a
 * re-run of extraction, queries over a document's tables, and conversion to
 * another format (stored as a new file).
 */
import { getDb } from "../../db/client";
import { AppError } from "../../errors";
import { requestMeta } from "../../lib/request-meta";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { FileIdParam, FileSchema, toFile } from "../files/schemas";
import { getOwnFile, storeGeneratedFile } from "../files/service";
import { ConvertBody, convertDocument } from "./convert";
import { DocumentError, ExtractedDocumentSchema } from "./model";
import { getExtraction, readOriginal, runExtraction } from "./service";
import { pickTable, queryTable, TableQuerySchema, TableResultSchema } from "./table-query";

export const documentRoutes = createRouter();

documentRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/files/{id}/extraction",
    tags: ["Documents"],
    summary: "The file's extracted text, sections (pages, sheets, headings) and tables",
    description:
      "Extracts on the spot if the background job has not run yet. A corrupt or encrypted document answers 422 with the reason; the file stays stored.",
    scopes: ["files:read"],
    request: { params: FileIdParam },
    responses: { 200: jsonResponse("The extracted document", ExtractedDocumentSchema), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const row = await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    return c.json(await getExtraction(c.env, row), 200);
  },
);

documentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files/{id}/extraction",
    tags: ["Documents"],
    summary: "Run extraction again now",
    scopes: ["files:write"],
    request: { params: FileIdParam },
    responses: { 200: jsonResponse("The extracted document", ExtractedDocumentSchema), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const row = await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    return c.json(await runExtraction(c.env, row), 200);
  },
);

documentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files/{id}/tables/query",
    tags: ["Documents"],
    summary: "Filter, sort, group and aggregate the rows of a table in the document",
    scopes: ["files:read"],
    request: { params: FileIdParam, ...jsonBody(TableQuerySchema) },
    responses: { 200: jsonResponse("The matching rows", TableResultSchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    const row = await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const query = c.req.valid("json");
    const document = await getExtraction(c.env, row);
    return c.json(queryTable(pickTable(document.tables, query.table), query), 200);
  },
);

documentRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/files/{id}/convert",
    tags: ["Documents"],
    summary: "Convert the file to another format, stored as a new file",
    description:
      "XLSX → CSV/JSON, CSV ↔ JSON, CSV/JSON → XLSX, DOCX → Markdown/HTML/PDF, Markdown → HTML/PDF, HTML → PDF (PDFs are printed by Browser Rendering). Other pairs answer 422 with the supported targets.",
    scopes: ["files:read", "files:write"],
    request: { params: FileIdParam, ...jsonBody(ConvertBody) },
    responses: { 201: jsonResponse("The new file", FileSchema), ...errorResponses(404, 413, 415, 422, 503) },
  }),
  async (c) => {
    const { principal } = c.var;
    const row = await getOwnFile(getDb(c.env), principal.userId, c.req.valid("param").id);
    const request = c.req.valid("json");
    let converted: Awaited<ReturnType<typeof convertDocument>>;
    try {
      converted = await convertDocument(
        c.env,
        { filename: row.filename, contentType: row.contentType, bytes: await readOriginal(c.env, row) },
        request,
      );
    } catch (error) {
      if (error instanceof DocumentError) throw new AppError(422, error.code, error.message, error.details);
      throw error;
    }
    const created = await storeGeneratedFile(
      c.env,
      principal,
      { ...converted, metadata: { converted_from: row.id, conversion: request.to } },
      requestMeta(c),
    );
    return c.json(toFile(created), 201);
  },
);
