/**
 * Request and response shapes of /api/v1/usage and /api/v1/budgets. Money is a
 * decimal USD amount in the API and integer micro-dollars in D1.
 */
import { z } from "@hono/zod-openapi";
import { BUDGET_PERIODS, BUDGET_SCOPES, type BudgetPeriod, type budgets } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso } from "../../lib/time";
import { isDay } from "./days";

/** What a budget's subject has spent in one period, and in each (worked out in spend.ts). */
export type Spend = { tokens: number; costMicros: number };
export type PeriodSpend = Record<BudgetPeriod, Spend>;

export const MICROS_PER_USD = 1_000_000;
export const toUsd = (micros: number) => micros / MICROS_PER_USD;
export const toMicros = (usd: number) => Math.round(usd * MICROS_PER_USD);

export const MAX_RANGE_DAYS = 366;

const Day = z
  .string()
  .max(10)
  .refine(isDay, "Use a calendar date, YYYY-MM-DD")
  .openapi({ format: "date", example: "2026-01-31" });

export const UsageRangeQuery = z.object({
  from: Day.optional().openapi({ description: "First UTC day (default: 29 days before `to`)" }),
  to: Day.optional().openapi({ description: "Last UTC day, included (default: today)" }),
});

const Cost = z.number().openapi({ description: "USD" });

const UsageCounts = z.object({
  api_calls: z.number().int(),
  agent_interactions: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  tool_calls: z.number().int(),
  cost_usd: Cost,
});
export type UsageCountsDto = z.infer<typeof UsageCounts>;

export const UsageReportSchema = z
  .object({
    from: z.string().openapi({ format: "date" }),
    to: z.string().openapi({ format: "date" }),
    days: z
      .array(UsageCounts.extend({ day: z.string().openapi({ format: "date" }) }))
      .openapi({ description: "One row per day of the range, zeros where nothing happened" }),
    totals: UsageCounts,
  })
  .openapi("UsageReport");

export const AgentUsageSchema = z
  .object({
    agent_id: z.string(),
    name: z.string(),
    messages: z.number().int(),
    sessions: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: Cost,
    avg_response_ms: z.number().nullable().openapi({ description: "Mean time to a final answer; null without one" }),
  })
  .openapi("AgentUsage");

export const AgentUsageReportSchema = z
  .object({
    from: z.string().openapi({ format: "date" }),
    to: z.string().openapi({ format: "date" }),
    items: z.array(AgentUsageSchema).openapi({ description: "Agents with usage in the range, costliest first" }),
  })
  .openapi("AgentUsageReport");

const MaxTokens = z.number().int().min(0).max(1e12);
const MaxCost = z.number().min(0).max(1_000_000).openapi({ description: "USD, up to six decimal places" });

export const CreateBudgetBody = z
  .object({
    scope: z.enum(BUDGET_SCOPES),
    scope_id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "The agent or session id; left out for user budgets" }),
    period: z.enum(BUDGET_PERIODS).openapi({ description: "day and month are UTC; a session counts its whole life" }),
    max_tokens: MaxTokens.optional(),
    max_cost_usd: MaxCost.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.scope === "user" && body.scope_id !== undefined)
      ctx.addIssue({ code: "custom", path: ["scope_id"], message: "A user budget takes no scope_id" });
    if (body.scope !== "user" && body.scope_id === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["scope_id"],
        message: `A ${body.scope} budget needs the ${body.scope}'s id`,
      });
    if (body.max_tokens === undefined && body.max_cost_usd === undefined)
      ctx.addIssue({ code: "custom", path: ["max_tokens"], message: "Give max_tokens, max_cost_usd or both" });
  })
  .openapi("CreateBudgetRequest");
export type CreateBudgetInput = z.infer<typeof CreateBudgetBody>;

export const UpdateBudgetBody = z
  .object({
    max_tokens: MaxTokens.nullable().optional().openapi({ description: "null removes the token limit" }),
    max_cost_usd: MaxCost.nullable().optional().openapi({ description: "null removes the cost limit" }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, "Give max_tokens, max_cost_usd or both")
  .openapi("UpdateBudgetRequest");
export type UpdateBudgetInput = z.infer<typeof UpdateBudgetBody>;

export const BudgetSchema = z
  .object({
    id: z.string(),
    scope: z.enum(BUDGET_SCOPES),
    scope_id: z.string().nullable(),
    period: z.enum(BUDGET_PERIODS),
    max_tokens: z.number().int().nullable(),
    max_cost_usd: z.number().nullable(),
    used: z
      .object({ tokens: z.number().int(), cost_usd: Cost })
      .openapi({ description: "Spent so far in the current period" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Budget");
export type BudgetDto = z.infer<typeof BudgetSchema>;

export function toBudget(row: typeof budgets.$inferSelect, spend: PeriodSpend): BudgetDto {
  const used = spend[row.period];
  return {
    id: row.id,
    scope: row.scope,
    scope_id: row.scope === "user" ? null : row.scopeId,
    period: row.period,
    max_tokens: row.maxTokens,
    max_cost_usd: row.maxCostMicros === null ? null : toUsd(row.maxCostMicros),
    used: { tokens: used.tokens, cost_usd: toUsd(used.costMicros) },
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const BudgetPageSchema = pageSchema(BudgetSchema, "BudgetPage");

export const BudgetListQuery = z.object({
  scope: z.enum(BUDGET_SCOPES).optional(),
  scope_id: z.string().min(1).max(64).optional(),
});

export const BudgetIdParam = z.object({ id: z.string().min(1).max(64) });
