/**
 * What a turn spends. "Budget check" before every model call: the step's cost is
 * estimated (prompt ≈ characters / 4 tokens, plus the output cap, priced with the
 * model's price) and the ledger says whether it would cross any of the user's,
 * agent's or session's budgets; a breach ends the turn before the model is called.
 * After each call and tool run, "usage and analytics": the ledger records it.
 */
import type { ModelPrice } from "../../../worker/features/config/registry";
import type { SpendEstimate, UsageRecord } from "../../../worker/features/usage/contract";
import { TurnFailure, type TurnRun } from "./host";

const subjectOf = (run: TurnRun) => ({
  userId: run.host.ref.userId,
  agentId: run.host.ref.agentId,
  sessionId: run.host.ref.sessionId,
});

export const estimateTokens = (chars: number) => Math.ceil(chars / 4);

/** Micro-dollars: tokens × USD per million tokens. */
export function priceOf(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return Math.ceil(inputTokens * price.input_per_mtok + outputTokens * price.output_per_mtok);
}

export function estimateStep(promptChars: number, maxOutputTokens: number, price: ModelPrice): SpendEstimate {
  const prompt = estimateTokens(promptChars);
  return { tokens: prompt + maxOutputTokens, costMicros: priceOf(price, prompt, maxOutputTokens) };
}

/** Throws `budget_exceeded` (after emitting budget.exceeded) when the step could cross a budget. */
export async function enforceBudgets(run: TurnRun, promptChars: number, maxOutputTokens: number): Promise<void> {
  const model = run.models[0];
  if (!model) return;
  const next = estimateStep(promptChars, maxOutputTokens, model.price);
  // Spend whose records are still on their way to the ledger counts as if it were there.
  const estimate = {
    tokens: next.tokens + run.unrecorded.tokens,
    costMicros: next.costMicros + run.unrecorded.costMicros,
  };
  const breach = await run.deps.usage.checkBudgets(run.host.env, subjectOf(run), estimate);
  if (!breach) return;
  const details = {
    budget_id: breach.budgetId,
    scope: breach.scope,
    period: breach.period,
    limit: { tokens: breach.limit.tokens, cost_micros: breach.limit.costMicros },
    used: { tokens: breach.used.tokens, cost_micros: breach.used.costMicros },
    estimate: { tokens: breach.estimate.tokens, cost_micros: breach.estimate.costMicros },
  };
  run.host.emit(run.id, "budget.exceeded", details);
  throw new TurnFailure(
    "budget_exceeded",
    `The next step could cross your ${breach.scope} budget (${breach.period}); raise it or wait for the period to end`,
    details,
  );
}

type Spent = Partial<Pick<UsageRecord, "inputTokens" | "outputTokens" | "costMicros" | "toolCalls" | "responseMs">>;

/**
 * Adds to the turn's totals and records with the ledger in the background (the
 * next budget check counts it until it lands; the turn's end waits for it). The
 * turn's first record is its interaction (and, on the session's first turn, its
 * new session). A ledger failure is logged, never fatal.
 */
export function recordUsage(run: TurnRun, spent: Spent): void {
  const { checkpoint } = run;
  const usage: UsageRecord = {
    inputTokens: spent.inputTokens ?? 0,
    outputTokens: spent.outputTokens ?? 0,
    costMicros: spent.costMicros ?? 0,
    toolCalls: spent.toolCalls ?? 0,
    interaction: !checkpoint.interactionRecorded,
    newSession: !checkpoint.interactionRecorded && checkpoint.firstTurn,
    ...(spent.responseMs === undefined ? {} : { responseMs: spent.responseMs }),
  };
  checkpoint.interactionRecorded = true;
  checkpoint.totals.inputTokens += usage.inputTokens;
  checkpoint.totals.outputTokens += usage.outputTokens;
  checkpoint.totals.costMicros += usage.costMicros;
  checkpoint.totals.toolCalls += usage.toolCalls;
  const tokens = usage.inputTokens + usage.outputTokens;
  run.unrecorded.tokens += tokens;
  run.unrecorded.costMicros += usage.costMicros;
  const landed = () => {
    run.unrecorded.tokens -= tokens;
    run.unrecorded.costMicros -= usage.costMicros;
  };
  run.host.background(
    run.deps.usage
      .record(run.host.env, subjectOf(run), usage)
      .catch((error) =>
        console.error(JSON.stringify({ level: "error", msg: "usage record failed", error: String(error) })),
      )
      .finally(landed),
  );
}
