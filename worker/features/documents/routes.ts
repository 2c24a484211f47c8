/**
 * Document routes on /api/v1/files/{id}: the extracted text and structure, a
 * re-run of extraction, and queries over a document's tables. Conversions are
 * in ./convert-routes.ts.
 */
import { getDb } from "../../db/client";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { FileIdParam } from "../files/schemas";
import { getOwnFile } from "../files/service";
import { ExtractedDocumentSchema } from "./model";
import { getExtraction, runExtraction } from "./service";
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
    responses: { 200: jsonResponse("The matching rows", TableResultSchema), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const row = await getOwnFile(getDb(c.env), c.var.principal.userId, c.req.valid("param").id);
    const query = c.req.valid("json");
    const document = await getExtraction(c.env, row);
    return c.json(queryTable(pickTable(document.tables, query.table), query), 200);
  },
);
