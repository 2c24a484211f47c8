/**
 * An extension as a user has it installed, the shape store.ts reads and the service and
 * schemas work with. Its own module (types only) so the console can read the API's
 * extension schemas without loading the store and everything the catalogue brings.
 */
import type { ExtensionKind } from "../../db/schema";
import type { Tool } from "../tools/define-tool";
import type { ConfigSpec } from "./manifest";

export type InstalledExtension = {
  id: string;
  name: string;
  kind: ExtensionKind;
  version: string;
  publisher: string;
  description: string;
  enabled: boolean;
  /** False for a default-on built-in the user never changed (no row yet). */
  stored: boolean;
  /** Plain (non-secret) configuration as stored, without defaults. */
  config: Record<string, unknown>;
  secretsEncrypted: string | null;
  mcpUrl: string | null;
  spec: ConfigSpec;
  tools: Tool[];
  createdAt: number | null;
  updatedAt: number | null;
};
