/**
 * One turn of the agent pipeline (docs/chat-sessions.md, "The pipeline"), from its checkpoint to its
 * end: load agent → (run pending tool calls) → build context → budget check →
 * model call with tools → tool calls in parallel → aggregate into the next step …
 * → final answer with citations → persist → usage → stream. Called by the
 * ChatSession for a new turn, after an approval, and to resume after an eviction.
 */

import type { ToolSet } from "ai";
import { pipelineDeps } from "../../../worker/features/chat-sessions/deps";
import { increment, observe } from "../../../worker/features/observability/collector";
import { newId } from "../../../worker/lib/ids";
import type { StoredMessage } from "../message-store";
import type { OpenTurn } from "../storage";
import { loadAgent, settingsFor } from "./agent";
import { toolCitations } from "./citations";
import { buildContext, contextCitations, type Retrieved, retrieve } from "./context";
import { saveCheckpoint, TurnFailure, type TurnHost, type TurnRun } from "./host";
import { runModelStep, type StepProgress, toToolSet } from "./model-step";
import { enforceBudgets, recordUsage } from "./spend";
import { runToolPhase } from "./tool-phase";

export type TurnEnd = "paused" | "ended";

async function prepare(host: TurnHost, turn: OpenTurn, signal: AbortSignal): Promise<TurnRun> {
  const agent = await loadAgent(host.env, host.ref);
  if (!agent?.isActive) throw new TurnFailure("agent_unavailable", "The session's agent was deleted or deactivated");
  const settings = await settingsFor(host.env, agent);
  const deps = pipelineDeps();
  const [available, chain] = await Promise.all([
    deps.tools.list(host.env, host.ref.userId),
    deps.models.resolveChain(host.env, host.ref.userId, settings.chain),
  ]);
  if (chain.models.length === 0) {
    throw new TurnFailure("no_model_available", "None of the agent's models can be used", { skipped: chain.skipped });
  }
  return {
    id: turn.id,
    caller: turn.caller,
    checkpoint: turn.checkpoint,
    signal,
    startedAt: turn.started_at,
    host,
    deps,
    agent,
    settings,
    models: chain.models,
    tools: available.filter((tool) => settings.toolNames.includes(tool.name)),
    unrecorded: { tokens: 0, costMicros: 0 },
  };
}

async function complete(run: TurnRun, message: StoredMessage): Promise<TurnEnd> {
  await run.host.settled();
  run.host.store.setTurnStatus(run.id, "completed");
  count("completed", run.startedAt);
  run.host.notify("chat.turn_ended", { session_id: run.host.ref.sessionId, turn_id: run.id, status: "completed" });
  const { totals } = run.checkpoint;
  run.host.emit(run.id, "turn.completed", {
    message_id: message.id,
    citations: message.metadata.citations ?? [],
    steps: run.checkpoint.step,
    usage: {
      input_tokens: totals.inputTokens,
      output_tokens: totals.outputTokens,
      cost_micros: totals.costMicros,
      tool_calls: totals.toolCalls,
    },
    response_ms: Date.now() - run.startedAt,
  });
  return "ended";
}

type Inputs = { snippets: Retrieved[]; toolSet: ToolSet; toolChars: number };

/**
 * One model step: context, budget check, the call, and its assistant message
 * stored and checkpointed together (no await between them, so a restart sees both or neither).
 */
async function modelStep(run: TurnRun, progress: StepProgress, inputs: Inputs) {
  const { checkpoint: cp, host } = run;
  const lastStep = cp.step >= run.settings.maxSteps - 1 || run.tools.length === 0;
  const context = await buildContext(run, inputs.snippets, lastStep ? 0 : inputs.toolChars);
  await enforceBudgets(run, context.promptChars, run.settings.maxOutputTokens);
  const step = Object.assign(progress, { messageId: newId(), text: "" });
  const result = await runModelStep(run, context, lastStep ? undefined : inputs.toolSet, step);
  const calls = lastStep ? [] : result.toolCalls;
  const final = calls.length === 0 && !result.failure;
  const citations = final
    ? [...contextCitations(inputs.snippets), ...toolCitations(host.messages.range(cp.userSeq))]
    : [];
  const message = host.persist({
    id: step.messageId,
    role: "assistant",
    turnId: run.id,
    content: result.text,
    toolCalls: calls,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    costMicros: result.costMicros,
    metadata: {
      model: result.model.spec,
      step: cp.step,
      ...(final ? { citations } : {}),
      ...(result.failure ? { partial: true } : {}),
    },
  });
  progress.messageId = null;
  host.emit(run.id, "usage", {
    step: cp.step,
    model: result.model.spec,
    input_tokens: result.inputTokens,
    output_tokens: result.outputTokens,
    cost_micros: result.costMicros,
  });
  cp.step += 1;
  cp.pending = calls.map((call) => ({ callId: call.call_id, name: call.name }));
  cp.assistantSeq = calls.length ? message.seq : null;
  cp.finalSeq = final ? message.seq : null;
  saveCheckpoint(run);
  return { message, result, final };
}

async function loop(run: TurnRun, progress: StepProgress): Promise<TurnEnd> {
  const { checkpoint: cp, host } = run;
  const finished = cp.finalSeq === null ? null : host.messages.get(cp.finalSeq);
  if (finished) return complete(run, finished);
  const question = host.messages.get(cp.userSeq)?.content ?? "";
  const inputs: Inputs = {
    snippets: run.deps.context.length ? await retrieve(run, question) : [],
    toolSet: toToolSet(run.tools),
    toolChars: JSON.stringify(run.tools.map((t) => [t.name, t.description, t.inputSchema])).length,
  };
  for (;;) {
    if (cp.pending.length && (await runToolPhase(run, run.tools)) === "paused") {
      host.store.setTurnStatus(run.id, "awaiting_approval");
      return "paused";
    }
    const { message, result, final } = await modelStep(run, progress, inputs);
    const spent = { inputTokens: result.inputTokens, outputTokens: result.outputTokens, costMicros: result.costMicros };
    if (result.failure) {
      recordUsage(run, spent);
      throw new TurnFailure("model_error", `The model stopped with an error: ${result.failure}`);
    }
    if (!final) {
      recordUsage(run, spent);
      continue;
    }
    recordUsage(run, { ...spent, responseMs: Date.now() - run.startedAt });
    return complete(run, message);
  }
}

function keepPartial(host: TurnHost, turnId: string, progress: StepProgress): void {
  if (!progress.messageId || !progress.text) return;
  host.persist({
    id: progress.messageId,
    role: "assistant",
    turnId,
    content: progress.text,
    metadata: { partial: true },
  });
  progress.messageId = null;
}

function end(
  host: TurnHost,
  { id: turnId, started_at: startedAt }: OpenTurn,
  progress: StepProgress,
  error: unknown,
  signal: AbortSignal,
): void {
  keepPartial(host, turnId, progress);
  host.store.cancelApprovals(turnId);
  if (signal.aborted) {
    const reason = signal.reason instanceof Error ? signal.reason.message : "cancelled";
    host.store.setTurnStatus(turnId, "cancelled");
    host.emit(turnId, "turn.cancelled", { reason });
    count("cancelled", startedAt);
    host.notify("chat.turn_ended", { session_id: host.ref.sessionId, turn_id: turnId, status: "cancelled" });
    return;
  }
  const failure =
    error instanceof TurnFailure ? error : new TurnFailure("internal_error", "The turn failed on our side");
  if (!(error instanceof TurnFailure)) {
    console.error(JSON.stringify({ level: "error", msg: "turn failed", turn: turnId, error: String(error) }));
  }
  host.store.setTurnStatus(turnId, "failed", { code: failure.code, message: failure.message });
  host.emit(turnId, "turn.failed", { code: failure.code, message: failure.message, details: failure.details ?? null });
  count("failed", startedAt, failure.code);
  host.notify("chat.turn_ended", {
    session_id: host.ref.sessionId,
    turn_id: turnId,
    status: "failed",
    code: failure.code,
  });
}

function count(status: string, startedAt: number, code?: string): void {
  increment("chat_turns_total", code ? { status, code } : { status });
  observe("chat_turn_duration_seconds", { status }, (Date.now() - startedAt) / 1000);
}

/**
 * Runs `turn` until it ends or pauses for approval. Never throws: every way out
 * leaves the turn's status and its last event (completed, failed or cancelled).
 */
export async function runTurn(host: TurnHost, turn: OpenTurn, signal: AbortSignal, resumed: boolean): Promise<TurnEnd> {
  const progress: StepProgress = { messageId: null, text: "" };
  try {
    const run = await prepare(host, turn, signal);
    if (resumed) host.emit(turn.id, "turn.resumed", { step: run.checkpoint.step });
    return await loop(run, progress);
  } catch (error) {
    try {
      end(host, turn, progress, error, signal);
    } catch (cleanup) {
      // Storage is gone (the object was evicted or deleted mid-turn); the watchdog resumes it elsewhere.
      console.warn(JSON.stringify({ msg: "turn could not record its end", turn: turn.id, error: String(cleanup) }));
    }
    return "ended";
  }
}
