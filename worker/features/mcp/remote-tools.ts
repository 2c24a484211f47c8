/**
 * A remote MCP server's tools as runtime tools, named `<extension>__<tool>`: input
 * checked against the server's JSON Schema (@cfworker/json-schema, which needs no
 * code generation), calls made through ./client.ts with the extension's bearer
 * token and timeout. Tools the server does not declare read-only or
 * non-destructive count as dangerous, as the MCP spec's defaults say.
 */
import { type Schema, Validator } from "@cfworker/json-schema";
import { z } from "zod";
import type { ValidationIssue } from "../../errors";
import type { ConfigSpec } from "../extensions/manifest";
import { type Tool, ToolError } from "../tools/define-tool";
import { TOOL_NAME } from "../tools/names";
import { callRemote, RemoteError, type RemoteTool } from "./client";

/** Configuration of an MCP extension; `bearer_token` is stored encrypted. */
export const MCP_CONFIG: ConfigSpec = {
  schema: z.strictObject({
    timeout_ms: z.number().int().min(100).max(120_000).default(30_000).describe("Time limit per call"),
    bearer_token: z.string().min(1).max(4_096).optional().describe("Sent as Authorization: Bearer"),
  }),
  secretFields: ["bearer_token"],
};

export const TOOL_SEPARATOR = "__";

export type RemoteExtension = { name: string; url: string; timeoutMs: number };

function localName(extension: string, remote: string): string {
  return `${extension}${TOOL_SEPARATOR}${remote.replace(/[^a-zA-Z0-9_-]/g, "_")}`.slice(0, 64);
}

function issuesOf(validator: Validator, input: unknown): ValidationIssue[] {
  const result = validator.validate(input);
  if (result.valid) return [];
  return result.errors
    .filter((error) => error.keyword !== "properties" || result.errors.length === 1)
    .map((error) => ({
      path: error.instanceLocation.replace(/^#\/?/, "").replaceAll("/", ".") || "(root)",
      message: error.error,
      code: error.keyword,
    }));
}

function textOf(content: unknown[]): string {
  const texts = content.flatMap((item) =>
    typeof item === "object" && item && "text" in item && typeof item.text === "string" ? [item.text] : [],
  );
  return texts.join("\n").slice(0, 1_000) || "The tool reported an error";
}

function remoteTool(extension: RemoteExtension, remote: RemoteTool): Tool {
  let validator: Validator | undefined;
  const readOnly = remote.annotations?.readOnlyHint === true || remote.annotations?.destructiveHint === false;
  return {
    name: localName(extension.name, remote.name),
    description: remote.description,
    inputSchema: remote.inputSchema,
    ...(remote.outputSchema ? { outputSchema: remote.outputSchema } : {}),
    scopes: [],
    timeoutMs: extension.timeoutMs,
    dangerous: !readOnly,
    cacheTtlSeconds: 0,
    costMicros: 0,
    prepare(raw) {
      validator ??= new Validator(remote.inputSchema as Schema, "2020-12", false);
      const issues = issuesOf(validator, raw);
      if (issues.length) return { ok: false, issues };
      const args = (raw ?? {}) as Record<string, unknown>;
      return {
        ok: true,
        input: args,
        async run(ctx) {
          const bearerToken = typeof ctx.config.bearer_token === "string" ? ctx.config.bearer_token : undefined;
          const server = { url: extension.url, bearerToken, timeoutMs: extension.timeoutMs };
          try {
            const result = await callRemote(ctx.env, server, remote.name, args, ctx.signal);
            if (result.isError) throw new ToolError("remote_tool_error", textOf(result.content));
            const { isError: _, ...output } = result;
            return output;
          } catch (error) {
            if (error instanceof RemoteError) throw new ToolError(error.code, error.message);
            throw error;
          }
        },
      };
    },
    checkOutput: (output) => ({ ok: true, output }),
  };
}

/** The runtime tools of one MCP extension; names that collide after sanitizing keep the first. */
export function remoteTools(extension: RemoteExtension, stored: readonly RemoteTool[]): Tool[] {
  const seen = new Set<string>();
  return stored.flatMap((remote) => {
    const tool = remoteTool(extension, remote);
    if (seen.has(tool.name) || !TOOL_NAME.test(tool.name)) return [];
    seen.add(tool.name);
    return [tool];
  });
}
