/**
 * Workflow definitions: zod schemas for every step kind, and the checks zod
 * cannot express alone (unique step ids, size and depth limits, templates that
 * refer only to steps that come earlier). Leaf steps (tool, agent, http, sleep)
 * are also what a task runs.
 */
import { z } from "zod";
import { templatePaths } from "./template";

const StepId = z
  .string()
  .regex(/^[A-Za-z][\w-]{0,63}$/, "A step id starts with a letter and has up to 64 letters, digits, _ or -");
const Integration = z.string().regex(/^[a-z0-9_.-]{1,64}$/, "An integration name is lowercase letters, digits, _ . -");

export const RetryPolicy = z
  .object({
    max_attempts: z.number().int().min(1).max(20).default(1),
    backoff_ms: z.number().int().min(10).max(3_600_000).optional(),
    max_backoff_ms: z.number().int().min(10).max(86_400_000).optional(),
    factor: z.number().min(1).max(10).optional(),
  })
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicy>;

const common = {
  id: StepId,
  name: z.string().max(200).optional(),
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  retry: RetryPolicy.optional(),
  continue_on_error: z.boolean().optional(),
  integration: Integration.optional(),
};

export const ToolStep = z
  .object({ ...common, kind: z.literal("tool"), tool: z.string().min(1).max(200), input: z.unknown().default({}) })
  .strict();
export const AgentStep = z
  .object({
    ...common,
    kind: z.literal("agent"),
    agent_id: z.string().min(1).max(64),
    prompt: z.string().min(1).max(20_000),
  })
  .strict();
export const HttpStep = z
  .object({
    ...common,
    kind: z.literal("http"),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
    url: z.string().min(1).max(2_000),
    headers: z.record(z.string().min(1).max(100), z.string().max(4_000)).optional(),
    body: z.unknown().optional(),
    /** Statuses that count as success; default any 2xx. */
    expect_status: z.array(z.number().int().min(100).max(599)).max(20).optional(),
  })
  .strict();
export const SleepStep = z
  .object({ ...common, kind: z.literal("sleep"), ms: z.number().int().min(0).max(3_600_000) })
  .strict();

export const LeafStep = z.discriminatedUnion("kind", [ToolStep, AgentStep, HttpStep, SleepStep]);
export type LeafStep = z.infer<typeof LeafStep>;
export type LeafKind = LeafStep["kind"];

export type Condition =
  | { left: unknown; op: "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "contains" | "exists" | "truthy"; right?: unknown }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .object({
        left: z.unknown(),
        op: z.enum(["eq", "ne", "gt", "gte", "lt", "lte", "contains", "exists", "truthy"]),
        right: z.unknown().optional(),
      })
      .strict(),
    z.object({ all: z.array(Condition).min(1).max(20) }).strict(),
    z.object({ any: z.array(Condition).min(1).max(20) }).strict(),
    z.object({ not: Condition }).strict(),
  ]),
);

export type DelayStep = { id: string; name?: string; kind: "delay"; ms: number };
export type ApprovalStep = { id: string; name?: string; kind: "approval"; message: string; timeout_ms?: number };
export type BranchStep = { id: string; name?: string; kind: "branch"; if: Condition; do: Step[]; else: Step[] };
export type ParallelStep = { id: string; name?: string; kind: "parallel"; branches: Step[][] };
export type Step = LeafStep | DelayStep | ApprovalStep | BranchStep | ParallelStep;

export const Step: z.ZodType<Step> = z.lazy(
  () =>
    z.discriminatedUnion("kind", [
      ToolStep,
      AgentStep,
      HttpStep,
      SleepStep,
      z
        .object({
          id: StepId,
          name: z.string().max(200).optional(),
          kind: z.literal("delay"),
          ms: z
            .number()
            .int()
            .min(0)
            .max(30 * 86_400_000),
        })
        .strict(),
      z
        .object({
          id: StepId,
          name: z.string().max(200).optional(),
          kind: z.literal("approval"),
          message: z.string().min(1).max(2_000),
          timeout_ms: z
            .number()
            .int()
            .min(1_000)
            .max(30 * 86_400_000)
            .optional(),
        })
        .strict(),
      z
        .object({
          id: StepId,
          name: z.string().max(200).optional(),
          kind: z.literal("branch"),
          if: Condition,
          do: z.array(Step).max(100),
          else: z.array(Step).max(100).default([]),
        })
        .strict(),
      z
        .object({
          id: StepId,
          name: z.string().max(200).optional(),
          kind: z.literal("parallel"),
          branches: z.array(z.array(Step).min(1).max(100)).min(2).max(10),
        })
        .strict(),
    ]) as z.ZodType<Step>,
);

export const WorkflowDefinition = z
  .object({
    steps: z.array(Step).min(1).max(1_000),
    /** Defaults for every step that does not set its own. */
    defaults: z
      .object({ timeout_ms: z.number().int().min(100).max(3_600_000).optional(), retry: RetryPolicy.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

export function childSequences(step: Step): Step[][] {
  if (step.kind === "branch") return [step.do, step.else];
  if (step.kind === "parallel") return step.branches;
  return [];
}

/** Every step, depth-first in definition order, with its depth. */
export function flattenSteps(steps: Step[], depth = 1): Array<{ step: Step; depth: number }> {
  return steps.flatMap((step) => [
    { step, depth },
    ...childSequences(step).flatMap((seq) => flattenSteps(seq, depth + 1)),
  ]);
}

export type DefinitionIssue = { path: string; message: string; code: string };
export type DefinitionLimits = { max_steps: number; max_depth: number };

function referencedSteps(step: Step): string[] {
  const values = step.kind === "branch" ? [step.if] : step.kind === "parallel" ? [] : [step];
  return templatePaths(values)
    .filter((path) => path.startsWith("steps."))
    .map((path) => path.split(/[.[]/)[1] ?? "");
}

/** Checks a parsed definition against the rules zod cannot see; [] when valid. */
export function checkDefinition(definition: WorkflowDefinition, limits: DefinitionLimits): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const flat = flattenSteps(definition.steps);
  if (flat.length > limits.max_steps)
    issues.push({ path: "steps", code: "too_many_steps", message: `At most ${limits.max_steps} steps` });
  const position = new Map<string, number>();
  flat.forEach(({ step, depth }, index) => {
    if (position.has(step.id))
      issues.push({ path: `steps.${step.id}`, code: "duplicate_step_id", message: `Step id ${step.id} is used twice` });
    else position.set(step.id, index);
    if (depth > limits.max_depth)
      issues.push({
        path: `steps.${step.id}`,
        code: "too_deep",
        message: `Steps nest at most ${limits.max_depth} deep`,
      });
  });
  flat.forEach(({ step }, index) => {
    for (const ref of referencedSteps(step)) {
      const at = position.get(ref);
      if (at === undefined)
        issues.push({
          path: `steps.${step.id}`,
          code: "unknown_step_ref",
          message: `Refers to step ${ref}, which does not exist`,
        });
      else if (at >= index)
        issues.push({
          path: `steps.${step.id}`,
          code: "forward_step_ref",
          message: `Refers to step ${ref}, which does not run before it`,
        });
    }
  });
  return issues;
}
