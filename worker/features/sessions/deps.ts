/**
 * The chat pipeline's one dependency seam: the tool runtime, the model resolver,
 * the usage ledger and the context providers, asked for on every turn by the
 * ChatSession Durable Object. Tests swap parts with `setPipelineDeps`.
 *
 * The defaults here are small working stand-ins so sessions run on their own:
 * - models: only providers registered with `setModelOverride` (tests register `ai/test` mocks);
 * - tools: `current_time`;
 * - usage: budgets and daily usage read and written in D1 (budgets, usage_daily,
 *   agent_usage_daily, chat_sessions totals) as the ledger contract describes;
 * - context: none.
 * At integration this file re-exports the real `modelResolver`, `withModelFallback`,
 * `setModelOverride`, `toolRuntime` and `usageLedger` instead; nothing else changes.
 */
import type { LanguageModel } from "ai";
import type { ModelPrice } from "../config/registry";
import { getConfig } from "../config/service";
import type { ModelResolver, ResolvedModel } from "../models/contract";
import type { ToolRuntime } from "../tools/contract";
import type { BudgetBreach, SpendEstimate, UsageLedger, UsageRecord, UsageSubject } from "../usage/contract";
import type { ContextProvider } from "./context-provider";

export type PipelineDeps = {
  tools: ToolRuntime;
  models: ModelResolver;
  usage: UsageLedger;
  context: ContextProvider[];
};

// ---------------------------------------------------------------- models

type ModelFactory = (modelId: string) => LanguageModel;
const modelOverrides = new Map<string, ModelFactory>();

/** Test seam of the model layer: `provider:model` specs of `provider` resolve through `factory`. */
export function setModelOverride(provider: string, factory: ModelFactory | null): void {
  if (factory) modelOverrides.set(provider, factory);
  else modelOverrides.delete(provider);
}

function priceOf(prices: Record<string, ModelPrice>, modelId: string): ModelPrice {
  return prices[modelId] ?? prices["*"] ?? { input_per_mtok: 0, output_per_mtok: 0 };
}

const standInModels: ModelResolver = {
  async resolveChain(env, _userId, specs) {
    const prices = await getConfig(env, "model_prices");
    const models: ResolvedModel[] = [];
    const skipped: Array<{ spec: string; reason: string }> = [];
    for (const spec of specs) {
      const [provider = "", ...rest] = spec.split(":");
      const modelId = rest.join(":");
      const factory = modelOverrides.get(provider);
      if (!factory || !modelId) skipped.push({ spec, reason: `No provider named "${provider}" is configured` });
      else models.push({ spec, provider, modelId, model: factory(modelId), price: priceOf(prices, modelId) });
    }
    return { models, skipped };
  },
};

/** Tries each model in order until one attempt does not throw; throws the last error if all do. */
export async function withModelFallback<T>(
  models: readonly ResolvedModel[],
  attempt: (model: ResolvedModel, index: number) => Promise<T>,
): Promise<T> {
  let lastError: unknown = new Error("No model to call");
  for (const [index, model] of models.entries()) {
    try {
      return await attempt(model, index);
    } catch (error) {
      if (error instanceof Error && error.name === "AbortError") throw error;
      lastError = error;
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------- tools

const standInTools: ToolRuntime = {
  async list() {
    return [
      {
        name: "current_time",
        description: "The current date and time in UTC (ISO 8601)",
        inputSchema: { type: "object", properties: {}, additionalProperties: false },
        dangerous: false,
        timeoutMs: 1_000,
        cacheTtlSeconds: 0,
        scopes: ["tools:execute"],
        extension: "core",
      },
    ];
  },
  async execute(_env, _caller, name) {
    if (name !== "current_time") {
      return {
        executionId: crypto.randomUUID(),
        status: "failed",
        error: { code: "unknown_tool", message: `No tool named ${name}` },
        executionTimeMs: 0,
        costMicros: 0,
      };
    }
    return {
      executionId: crypto.randomUUID(),
      status: "succeeded",
      output: { now: new Date().toISOString() },
      executionTimeMs: 0,
      costMicros: 0,
    };
  },
};

// ---------------------------------------------------------------- usage

type Used = { tokens: number; cost: number };
type BudgetRow = {
  id: string;
  scope: BudgetBreach["scope"];
  period: BudgetBreach["period"];
  max_tokens: number | null;
  max_cost_micros: number | null;
};

const today = () => new Date().toISOString().slice(0, 10);

/** What a budget's scope has used in its period. Sessions have one period: their life. */
async function usedFor(env: Env, subject: UsageSubject, budget: BudgetRow): Promise<Used> {
  const day = today();
  const since = budget.period === "day" ? day : budget.period === "month" ? `${day.slice(0, 7)}-01` : "0000";
  const query =
    budget.scope === "session"
      ? env.DB.prepare(
          "SELECT input_tokens + output_tokens AS tokens, cost_micros AS cost FROM chat_sessions WHERE id = ? AND user_id = ?",
        ).bind(subject.sessionId, subject.userId)
      : budget.scope === "agent"
        ? env.DB.prepare(
            "SELECT SUM(input_tokens + output_tokens) AS tokens, SUM(cost_micros) AS cost FROM agent_usage_daily WHERE agent_id = ? AND user_id = ? AND day >= ?",
          ).bind(subject.agentId, subject.userId, since)
        : env.DB.prepare(
            "SELECT SUM(input_tokens + output_tokens) AS tokens, SUM(cost_micros) AS cost FROM usage_daily WHERE user_id = ? AND day >= ?",
          ).bind(subject.userId, since);
  const row = await query.first<{ tokens: number | null; cost: number | null }>();
  return { tokens: row?.tokens ?? 0, cost: row?.cost ?? 0 };
}

function breachOf(budget: BudgetRow, used: Used, estimate: SpendEstimate): BudgetBreach | null {
  const overTokens = budget.max_tokens !== null && used.tokens + estimate.tokens > budget.max_tokens;
  const overCost = budget.max_cost_micros !== null && used.cost + estimate.costMicros > budget.max_cost_micros;
  if (!overTokens && !overCost) return null;
  return {
    budgetId: budget.id,
    scope: budget.scope,
    period: budget.period,
    limit: { tokens: budget.max_tokens, costMicros: budget.max_cost_micros },
    used: { tokens: used.tokens, costMicros: used.cost },
    estimate,
  };
}

const standInUsage: UsageLedger = {
  async checkBudgets(env, subject, estimate) {
    const { results } = await env.DB.prepare(
      `SELECT id, scope, period, max_tokens, max_cost_micros FROM budgets WHERE user_id = ?1 AND (
         (scope = 'user' AND scope_id = '') OR (scope = 'agent' AND scope_id = ?2) OR (scope = 'session' AND scope_id = ?3))`,
    )
      .bind(subject.userId, subject.agentId, subject.sessionId)
      .all<BudgetRow>();
    for (const budget of results) {
      const breach = breachOf(budget, await usedFor(env, subject, budget), estimate);
      if (breach) return breach;
    }
    return null;
  },

  async record(env, subject, usage: UsageRecord) {
    const day = today();
    const now = Date.now();
    const interaction = usage.interaction ? 1 : 0;
    const responses = usage.responseMs === undefined ? 0 : 1;
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO usage_daily (user_id, day, agent_interactions, input_tokens, output_tokens, tool_calls, cost_micros)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (user_id, day) DO UPDATE SET
         agent_interactions = agent_interactions + ?3, input_tokens = input_tokens + ?4,
         output_tokens = output_tokens + ?5, tool_calls = tool_calls + ?6, cost_micros = cost_micros + ?7`,
      ).bind(
        subject.userId,
        day,
        interaction,
        usage.inputTokens,
        usage.outputTokens,
        usage.toolCalls,
        usage.costMicros,
      ),
      env.DB.prepare(
        `INSERT INTO agent_usage_daily (agent_id, user_id, day, messages, sessions, input_tokens, output_tokens, cost_micros, response_ms_total, responses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (agent_id, day) DO UPDATE SET
         messages = messages + ?4, sessions = sessions + ?5, input_tokens = input_tokens + ?6, output_tokens = output_tokens + ?7,
         cost_micros = cost_micros + ?8, response_ms_total = response_ms_total + ?9, responses = responses + ?10`,
      ).bind(
        subject.agentId,
        subject.userId,
        day,
        interaction,
        usage.newSession ? 1 : 0,
        usage.inputTokens,
        usage.outputTokens,
        usage.costMicros,
        usage.responseMs ?? 0,
        responses,
      ),
      env.DB.prepare(
        `UPDATE chat_sessions SET input_tokens = input_tokens + ?1, output_tokens = output_tokens + ?2,
         cost_micros = cost_micros + ?3, updated_at = ?4 WHERE id = ?5 AND user_id = ?6`,
      ).bind(usage.inputTokens, usage.outputTokens, usage.costMicros, now, subject.sessionId, subject.userId),
    ]);
  },
};

// ---------------------------------------------------------------- the seam

const defaults: PipelineDeps = { tools: standInTools, models: standInModels, usage: standInUsage, context: [] };
let overrides: Partial<PipelineDeps> = {};

export function pipelineDeps(): PipelineDeps {
  return { ...defaults, ...overrides };
}

/** Test seam: replaces some dependencies until the next call; `null` restores the defaults. */
export function setPipelineDeps(partial: Partial<PipelineDeps> | null): void {
  overrides = partial ?? {};
}
