/**
 * `defineTool`: a typed tool (zod input and output, scopes, limits) turned into the
 * shape the runtime works with: JSON Schemas for models and MCP clients, and a
 * `prepare` step that validates raw input before anything runs. Built-in extensions
 * (extensions/catalog.ts) list their tools made with this.
 */
import { z } from "zod";
import { describeZodIssues, type ValidationIssue } from "../../errors";
import type { Scope } from "../auth/scopes";
import { TOOL_NAME } from "./names";

/** What a running tool may use: the caller, its extension's configuration (secrets decrypted), a signal. */
export type ToolContext = {
  env: Env;
  userId: string;
  /** Aborted when the tool times out or the caller gives up; pass it to every fetch. */
  signal: AbortSignal;
  /** The extension's configuration with defaults applied and secret fields decrypted. */
  config: Record<string, unknown>;
};

/** A failure a tool reports on purpose; `code` becomes the outcome's error code. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

export type ToolSpec<I extends z.ZodType, O extends z.ZodType> = {
  name: string;
  description: string;
  input: I;
  output: O;
  /** Scopes the caller needs besides `tools:execute`. */
  scopes?: readonly Scope[];
  timeoutMs: number;
  /** Dangerous tools need a person's approval (chat) or `confirm: true` (API) to run. */
  dangerous?: boolean;
  /** 0 = never cached. */
  cacheTtlSeconds?: number;
  /** Charged per run (not for cached results), in micro-dollars. */
  costMicros?: number;
  run(input: z.output<I>, ctx: ToolContext): Promise<z.input<O>>;
};

/** Validated input, ready to run; or why the input was refused. */
export type Prepared =
  | { ok: true; input: unknown; run(ctx: ToolContext): Promise<unknown> }
  | { ok: false; issues: ValidationIssue[] };

/** A tool with its types erased: what registries, the runtime and the MCP server hold. */
export type Tool = {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  scopes: readonly Scope[];
  timeoutMs: number;
  dangerous: boolean;
  cacheTtlSeconds: number;
  costMicros: number;
  prepare(raw: unknown): Prepared;
  /** Checks a result against the output schema; returns what to store and return. */
  checkOutput(output: unknown): { ok: true; output: unknown } | { ok: false; issues: ValidationIssue[] };
};

/** Tool names as models accept them (OpenAI, Anthropic and Gemini agree on this set). */

export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

export function defineTool<I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>): Tool {
  if (!TOOL_NAME.test(spec.name)) throw new Error(`tool name ${spec.name} is not a valid tool name`);
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: jsonSchemaOf(spec.input, "input"),
    outputSchema: jsonSchemaOf(spec.output, "output"),
    scopes: spec.scopes ?? [],
    timeoutMs: spec.timeoutMs,
    dangerous: spec.dangerous ?? false,
    cacheTtlSeconds: spec.cacheTtlSeconds ?? 0,
    costMicros: spec.costMicros ?? 0,
    prepare(raw) {
      const parsed = spec.input.safeParse(raw);
      if (!parsed.success) return { ok: false, issues: describeZodIssues(parsed.error) };
      return { ok: true, input: parsed.data, run: (ctx) => spec.run(parsed.data, ctx) };
    },
    checkOutput(output) {
      const parsed = spec.output.safeParse(output);
      return parsed.success
        ? { ok: true, output: parsed.data }
        : { ok: false, issues: describeZodIssues(parsed.error) };
    },
  };
}
