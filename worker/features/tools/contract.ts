/**
 * The tool runtime's contract with its callers (the chat pipeline, the tools API,
 * the MCP server, later workflows). Implemented in ./runtime.ts.
 */
import type { TOOL_SOURCES, ToolExecutionStatus } from "../../db/schema";
import type { Scope } from "../auth/scopes";

/** Who runs a tool, and on whose behalf: scopes are the caller's, checked per tool. */
export type ToolCaller = {
  userId: string;
  scopes: ReadonlySet<Scope>;
  source: (typeof TOOL_SOURCES)[number];
  sessionId?: string;
  agentId?: string;
  /** The model's tool-call id within a turn, so a resumed turn can find a finished execution. */
  callId?: string;
  /** A tighter time limit than the tool's own (an agent's `tool_timeout_ms`); the smaller one wins. */
  timeoutMs?: number;
};

/** A tool as models, MCP clients and the console see it. */
export type ToolDescriptor = {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the input, from the tool's zod schema or the MCP server's. */
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** Dangerous tools pause a chat turn for human approval before they run. */
  dangerous: boolean;
  timeoutMs: number;
  cacheTtlSeconds: number;
  scopes: readonly Scope[];
  /** The extension that provides it (`core`, `web`, an MCP server's name…). */
  extension: string;
};

export type ToolOutcome = {
  executionId: string;
  status: ToolExecutionStatus;
  output?: unknown;
  error?: { code: string; message: string; details?: unknown };
  executionTimeMs: number;
  costMicros: number;
  /** Set when status is `rate_limited`: seconds until a retry can pass. */
  retryAfterSeconds?: number;
};

export interface ToolRuntime {
  /** The tools this user can call now: from enabled extensions, built-in or MCP. */
  list(env: Env, userId: string): Promise<ToolDescriptor[]>;
  /**
   * Validates, checks scopes, rate limits and quotas, serves from cache, runs with
   * a timeout, and records one tool_executions row. Never throws for tool failures:
   * the outcome's status says what happened.
   */
  execute(env: Env, caller: ToolCaller, name: string, input: unknown, signal?: AbortSignal): Promise<ToolOutcome>;
}
