/**
 * Tools, extensions and tool runs as the console reads them: the worker's zod schemas
 * (tools/schemas.ts, extensions/schemas.ts), imported for their types only.
 */
import type { z } from "zod";
import type {
  CatalogEntrySchema,
  ExtensionSchema,
  InstallExtensionBody,
} from "../../../worker/features/extensions/schemas";
import type { ToolExecutionSchema } from "../../../worker/features/tools/schemas";

export type { ToolInfo } from "../agents/types";

export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;
export type Extension = z.infer<typeof ExtensionSchema>;
export type ExtensionTool = Extension["tools"][number];
export type ToolExecution = z.infer<typeof ToolExecutionSchema>;

/** Connecting a remote MCP server: an install of kind `mcp`. */
export type McpInput = z.input<typeof InstallExtensionBody> & { kind: "mcp"; url: string };
