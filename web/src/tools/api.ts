/** The tools page's calls: your tools, the extension catalogue and your extensions, and recent tool runs. */
import { api } from "../api/client";
import type { Page } from "../api/types";
import type { CatalogEntry, Extension, McpInput, ToolExecution, ToolInfo } from "./types";

const path = (id: string) => `/extensions/${encodeURIComponent(id)}`;

export const toolsApi = {
  tools: () => api.get<{ items: ToolInfo[] }>("/tools"),
  catalog: () => api.get<{ items: CatalogEntry[] }>("/extensions/catalog"),
  extensions: () => api.get<{ items: Extension[] }>("/extensions"),
  install: (name: string) => api.post<Extension>("/extensions", { name }),
  connectMcp: (input: McpInput) => api.post<Extension>("/extensions", input),
  setEnabled: (id: string, enabled: boolean) => api.patch<Extension>(path(id), { enabled }),
  configure: (id: string, config: Record<string, unknown>) => api.patch<Extension>(path(id), { config }),
  remove: (id: string) => api.delete<Extension>(path(id)),
  refresh: (id: string) => api.post<Extension>(`${path(id)}/refresh`),
  executions: (cursor: string | null) =>
    api.get<Page<ToolExecution>>("/tool-executions", { query: { limit: 20, cursor } }),
};
