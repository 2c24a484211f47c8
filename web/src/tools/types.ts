/**
 * Tools, extensions and tool runs as the console reads them; they mirror
 * worker/features/tools/schemas.ts and worker/features/extensions/schemas.ts.
 */
export type { ToolInfo } from "../agents/types";

export type ExtensionTool = { name: string; description: string; dangerous: boolean };

export type CatalogEntry = {
  name: string;
  version: string;
  publisher: string;
  description: string;
  default_enabled: boolean;
  tools: ExtensionTool[];
  config_schema: Record<string, unknown>;
  secret_fields: string[];
};

export type Extension = {
  id: string;
  name: string;
  kind: "builtin" | "mcp";
  version: string;
  publisher: string;
  description: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, { configured: boolean }>;
  config_schema: Record<string, unknown>;
  mcp_url: string | null;
  tools: ExtensionTool[];
  created_at: string | null;
  updated_at: string | null;
};

export type ToolExecution = {
  id: string;
  tool: string;
  extension: string | null;
  source: "chat" | "api" | "mcp";
  session_id: string | null;
  agent_id: string | null;
  call_id: string | null;
  status: string;
  input: unknown;
  output: unknown;
  error: { code: string; message: string } | null;
  execution_time_ms: number;
  cost_micros: number;
  created_at: string;
};

export type McpInput = { kind: "mcp"; name: string; url: string; bearer_token?: string };
