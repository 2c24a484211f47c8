/**
 * The built-in extensions. A feature that brings tools adds its extension here
 * (a manifest made with `defineExtension`); the tool runtime, the tools API and the
 * MCP server pick it up from this list.
 */
import { coreExtension } from "./builtin/core";
import { graphExtension } from "./builtin/graph";
import { knowledgeExtension } from "./builtin/knowledge";
import { webExtension } from "./builtin/web";
import type { ExtensionManifest } from "./manifest";

export const BUILTIN_EXTENSIONS: readonly ExtensionManifest[] = [
  coreExtension,
  webExtension,
  knowledgeExtension,
  graphExtension,
];

const byName = new Map(BUILTIN_EXTENSIONS.map((extension) => [extension.name, extension]));

export function builtinExtension(name: string): ExtensionManifest | undefined {
  return byName.get(name);
}

const toolNames = BUILTIN_EXTENSIONS.flatMap((extension) => extension.tools.map((tool) => tool.name));
if (new Set(toolNames).size !== toolNames.length) throw new Error("two built-in extensions define the same tool name");
