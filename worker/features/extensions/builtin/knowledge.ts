/** `knowledge`: files, documents and memory for agents (worker/features/knowledge/tools.ts). */
import { z } from "zod";
import { KNOWLEDGE_TOOLS } from "../../knowledge/tools";
import { defineExtension } from "../manifest";
import { toRuntimeTool } from "./feature-tools";

export const knowledgeExtension = defineExtension({
  name: "knowledge",
  version: "1.0.0",
  publisher: "edgewise",
  description: "Read your files, extract documents, query their tables, and search or add memories.",
  tools: KNOWLEDGE_TOOLS.map(toRuntimeTool),
  schema: z.strictObject({}),
  secretFields: [],
  defaultEnabled: false,
});
