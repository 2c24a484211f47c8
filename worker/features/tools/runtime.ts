/**
 * The tool runtime (contract.ts): lists a user's enabled tools, and executes one
 * for a caller in a fixed order — known and enabled → caller's scopes → input
 * schema → cache → rate limit and daily quota → run under a deadline → output
 * schema → cache write — recording exactly one tool_executions row whatever the
 * outcome. Used by the tools API, the MCP server and the chat pipeline.
 */
import type { Scope } from "../auth/scopes";
import { runtimeConfig } from "../extensions/store";
import { OutboundError } from "../outbound/guarded-fetch";
import { cacheKey, readCache, writeCache } from "./cache";
import type { ToolCaller, ToolOutcome, ToolRuntime } from "./contract";
import { type Tool, type ToolContext, ToolError } from "./define-tool";
import { checkToolLimits } from "./limits";
import { type ExecutionRecord, recordExecution } from "./record";
import { describeTool, enabledTools, type ResolvedTool } from "./resolve";
import { runWithTimeout } from "./run-with-timeout";

export const TOOL_NOT_FOUND = "No such tool, or it is not enabled for you";

type Outcome = Omit<ExecutionRecord, "caller" | "tool" | "extension" | "remote" | "startedAt" | "input"> & {
  input?: unknown;
};

/** What a thrown error means for the outcome: its status and a stable code. */
function failure(error: unknown): Outcome {
  if (error instanceof OutboundError)
    return {
      status: error.code === "outbound_timeout" ? "timed_out" : "failed",
      error: { code: error.code, message: error.message },
    };
  if (error instanceof ToolError) return { status: "failed", error: { code: error.code, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: "failed", error: { code: "tool_failed", message: message.slice(0, 500) } };
}

async function run(
  env: Env,
  caller: ToolCaller,
  { tool, extension }: ResolvedTool,
  prepared: { run: (ctx: ToolContext) => Promise<unknown> },
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  const timeoutMs = Math.min(tool.timeoutMs, caller.timeoutMs ?? Number.POSITIVE_INFINITY);
  const result = await runWithTimeout(
    async (runSignal) => {
      const config = await runtimeConfig(env, caller.userId, extension);
      return prepared.run({ env, userId: caller.userId, signal: runSignal, config });
    },
    timeoutMs,
    signal,
  );
  switch (result.kind) {
    case "timeout":
      return {
        status: "timed_out",
        error: { code: "timed_out", message: `${tool.name} took longer than ${timeoutMs} ms` },
      };
    case "aborted":
      return { status: "failed", error: { code: "cancelled", message: "The caller cancelled the call" } };
    case "error":
      return failure(result.error);
    case "done": {
      const checked = tool.checkOutput(result.value);
      if (!checked.ok)
        return {
          status: "failed",
          error: {
            code: "invalid_output",
            message: "The tool returned output that breaks its schema",
            details: checked.issues,
          },
        };
      return { status: "succeeded", output: checked.output, costMicros: tool.costMicros };
    }
  }
}

function forbidden(caller: ToolCaller, tool: Tool): Outcome | undefined {
  const required: Scope[] = ["tools:execute", ...tool.scopes];
  const missing = required.filter((scope) => !caller.scopes.has(scope));
  if (!missing.length) return undefined;
  const message = `${tool.name} needs ${missing.join(", ")}`;
  return { status: "forbidden", error: { code: "insufficient_scope", message, details: { missing } } };
}

/** A failed cache write costs a future hit, never this call's result. */
function storeInCache(env: Env, entry: Parameters<typeof writeCache>[1]) {
  return writeCache(env, entry).catch((error: unknown) =>
    console.error(
      JSON.stringify({ level: "error", msg: "tool cache write failed", tool: entry.tool, error: String(error) }),
    ),
  );
}

/** Everything after the tool is known; returns the outcome to record. */
async function attempt(
  env: Env,
  caller: ToolCaller,
  resolved: ResolvedTool,
  raw: unknown,
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  const { tool } = resolved;
  const refused = forbidden(caller, tool);
  if (refused) return refused;
  const prepared = tool.prepare(raw);
  if (!prepared.ok)
    return {
      status: "invalid_input",
      error: { code: "invalid_input", message: `Input does not match ${tool.name}'s schema`, details: prepared.issues },
    };
  const key = tool.cacheTtlSeconds > 0 ? await cacheKey(caller.userId, tool.name, prepared.input) : undefined;
  const hit = key ? await readCache(env, key) : undefined;
  if (hit) return { status: "cached", input: prepared.input, output: hit.output };
  const verdict = await checkToolLimits(env, caller.userId, tool.name);
  if (!verdict.ok)
    return {
      status: "rate_limited",
      input: prepared.input,
      error: { code: verdict.code, message: verdict.message },
      retryAfterSeconds: verdict.retryAfterSeconds,
    };
  const outcome = await run(env, caller, resolved, prepared, signal);
  if (key && outcome.status === "succeeded") {
    const ttlSeconds = tool.cacheTtlSeconds;
    await storeInCache(env, { key, userId: caller.userId, tool: tool.name, output: outcome.output, ttlSeconds });
  }
  return { input: prepared.input, ...outcome };
}

/** `execute` with the user's tools already loaded (the tools API looks the tool up first). */
export async function executeWith(
  env: Env,
  tools: Map<string, ResolvedTool>,
  caller: ToolCaller,
  name: string,
  input: unknown,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  const startedAt = Date.now();
  const resolved = tools.get(name);
  const base = { caller, tool: name, input, startedAt };
  if (!resolved)
    return recordExecution(env, {
      ...base,
      extension: null,
      remote: false,
      status: "failed",
      error: { code: "tool_not_found", message: TOOL_NOT_FOUND },
    });
  const outcome = await attempt(env, caller, resolved, input, signal);
  return recordExecution(env, {
    ...base,
    extension: resolved.extension.name,
    remote: resolved.extension.kind === "mcp",
    ...outcome,
    input: outcome.input ?? input,
  });
}

/** Records that a person refused a dangerous call (the chat pipeline's approval flow): status `rejected`. */
async function recordRejection(env: Env, caller: ToolCaller, name: string, input: unknown, reason?: string) {
  const resolved = (await enabledTools(env, caller.userId)).get(name);
  return recordExecution(env, {
    caller,
    tool: name,
    input,
    startedAt: Date.now(),
    extension: resolved?.extension.name ?? null,
    remote: resolved?.extension.kind === "mcp",
    status: "rejected",
    error: { code: "rejected", message: reason?.slice(0, 500) || "A person declined this call" },
  });
}

export const toolRuntime = {
  async list(env, userId) {
    return [...(await enabledTools(env, userId)).values()].map(describeTool);
  },
  async execute(env: Env, caller: ToolCaller, name: string, input: unknown, signal?: AbortSignal) {
    return executeWith(env, await enabledTools(env, caller.userId), caller, name, input, signal);
  },
  recordRejection,
} satisfies ToolRuntime & { recordRejection: typeof recordRejection };
