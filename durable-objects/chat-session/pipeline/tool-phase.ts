/**
 * "Tool calls in parallel": runs the tool calls of the last model step, at most
 * `max_parallel_tools` at once, each with its own timeout. A dangerous tool first
 * asks for approval and the turn pauses (awaiting_approval) until someone decides;
 * a rejected call never runs and the model is told so. Each result is stored as a
 * tool message and checkpointed the moment it exists, so a turn resumed after an
 * eviction never runs a finished call again.
 */
import type { Scope } from "../../../worker/features/auth/scopes";
import { increment } from "../../../worker/features/observability/collector";
import type { ToolDescriptor, ToolOutcome } from "../../../worker/features/tools/contract";
import type { ToolResultRecord } from "../message-store";
import { preview, saveCheckpoint, type TurnRun } from "./host";
import { recordUsage } from "./spend";

type Call = { callId: string; name: string; input: unknown; descriptor: ToolDescriptor };

const outcome = (status: ToolOutcome["status"], code: string, message: string): ToolOutcome => ({
  executionId: "",
  status,
  error: { code, message },
  executionTimeMs: 0,
  costMicros: 0,
});

function finish(run: TurnRun, call: { callId: string; name: string }, result: ToolOutcome): void {
  const record: ToolResultRecord = {
    call_id: call.callId,
    name: call.name,
    status: result.status,
    execution_time_ms: result.executionTimeMs,
    ...(result.output === undefined ? {} : { output: result.output }),
    ...(result.error ? { error: result.error } : {}),
  };
  const message = run.host.persist({
    role: "tool",
    turnId: run.id,
    content: "",
    toolResults: [record],
    costMicros: result.costMicros,
  });
  increment("chat_tool_calls_total", { status: result.status });
  run.checkpoint.completed[call.callId] = message.seq;
  saveCheckpoint(run);
  run.host.emit(run.id, "tool.finished", {
    call_id: call.callId,
    name: call.name,
    status: result.status,
    execution_time_ms: result.executionTimeMs,
    ...(result.output === undefined ? {} : { output: preview(result.output) }),
    ...(result.error ? { error: result.error } : {}),
  });
}

/** Rejects as soon as `signal` aborts (tools that ignore their signal cannot hold a cancelled turn). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

async function execute(run: TurnRun, call: Call): Promise<ToolOutcome> {
  const timeoutMs = run.settings.toolTimeoutMs ?? call.descriptor.timeoutMs ?? run.settings.defaultToolTimeoutMs;
  run.host.emit(run.id, "tool.started", {
    call_id: call.callId,
    name: call.name,
    input: preview(call.input),
    step: run.checkpoint.step,
    timeout_ms: timeoutMs,
  });
  const controller = new AbortController();
  const stop = () => controller.abort(run.signal.reason);
  run.signal.addEventListener("abort", stop, { once: true });
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<ToolOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException("The tool call timed out", "TimeoutError"));
      resolve({ ...outcome("timed_out", "timed_out", `No result within ${timeoutMs} ms`), executionTimeMs: timeoutMs });
    }, timeoutMs);
  });
  const caller = {
    userId: run.host.ref.userId,
    scopes: new Set(run.caller.scopes as Scope[]),
    source: "chat" as const,
    sessionId: run.host.ref.sessionId,
    agentId: run.host.ref.agentId,
    callId: call.callId,
  };
  const running = run.deps.tools
    .execute(run.host.env, caller, call.name, call.input, controller.signal)
    .catch((error: unknown) => ({
      ...outcome("failed", "tool_error", error instanceof Error ? error.message : String(error)),
      executionTimeMs: Date.now() - started,
    }));
  try {
    return await Promise.race([running, timedOut, untilAborted(run.signal)]);
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener("abort", stop);
  }
}

/** Runs `items` through `work`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lanes = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(lanes);
}

/** Sorts the calls still open: ready to run now, or waiting for a decision (asking for one the first time). */
function triage(run: TurnRun, tools: readonly ToolDescriptor[], inputs: Map<string, unknown>) {
  const ready: Call[] = [];
  let waiting = 0;
  for (const { callId, name } of run.checkpoint.pending) {
    if (callId in run.checkpoint.completed) continue;
    const descriptor = tools.find((t) => t.name === name);
    if (!descriptor) {
      finish(run, { callId, name }, outcome("failed", "unknown_tool", `This agent has no tool named ${name}`));
      continue;
    }
    const call = { callId, name, input: inputs.get(callId), descriptor };
    if (!descriptor.dangerous) {
      ready.push(call);
      continue;
    }
    const approval = run.host.store.approval(run.id, callId);
    if (!approval) {
      const input = preview(call.input, 16_384);
      run.host.store.requestApproval(run.id, callId, name, input);
      run.host.emit(run.id, "tool.approval_required", { call_id: callId, name, input, step: run.checkpoint.step });
      run.host.notify("chat.approval_required", {
        session_id: run.host.ref.sessionId,
        turn_id: run.id,
        call_id: callId,
        tool: name,
      });
      waiting++;
    } else if (approval.status === "pending") waiting++;
    else if (approval.status === "approved") ready.push(call);
    else finish(run, call, outcome("rejected", "rejected", approval.reason ?? ""));
  }
  return { ready, waiting };
}

/** Runs the step's open calls; "paused" when some wait for approval, "done" when every call has a result. */
export async function runToolPhase(run: TurnRun, tools: readonly ToolDescriptor[]): Promise<"done" | "paused"> {
  const assistant = run.checkpoint.assistantSeq ? run.host.messages.get(run.checkpoint.assistantSeq) : null;
  const inputs = new Map((assistant?.toolCalls ?? []).map((c) => [c.call_id, c.input]));
  for (;;) {
    const { ready, waiting } = triage(run, tools, inputs);
    if (ready.length === 0) {
      if (waiting > 0) return "paused";
      break;
    }
    let cost = 0;
    await pool(ready, run.settings.maxParallelTools, async (call) => {
      const result = await execute(run, call);
      cost += result.costMicros;
      finish(run, call, result);
    });
    recordUsage(run, { toolCalls: ready.length, costMicros: cost });
  }
  run.checkpoint.pending = [];
  run.checkpoint.assistantSeq = null;
  saveCheckpoint(run);
  return "done";
}
