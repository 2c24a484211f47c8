/** `graph`: the entity graph's query, management and content tools (worker/features/graph/tools.ts). */
import { z } from "zod";
import { GRAPH_TOOLS } from "../../graph/tools";
import { defineExtension } from "../manifest";
import { toRuntimeTool } from "./feature-tools";

export const graphExtension = defineExtension({
  name: "graph",
  version: "1.0.0",
  publisher: "edgewise",
  description: "Search, read and change your entity graph: entities, relationships, paths and attachments.",
  tools: GRAPH_TOOLS.map(toRuntimeTool),
  schema: z.strictObject({}),
  secretFields: [],
  defaultEnabled: false,
});
