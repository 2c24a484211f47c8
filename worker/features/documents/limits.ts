/**
 * The caps on reading DOCX/XLSX (the `document_limits` setting): what a hostile
 * ZIP or sheet may cost before the readers refuse it with 422 document_too_large.
 * The services load them once per extraction or conversion and hand them down.
 */
import type { ConfigValue } from "../config/registry";

export type DocumentLimits = ConfigValue<"document_limits">;
