/**
 * What a task is asked to do: the action union and the create request, shared by
 * the tasks API (../tasks/) and schedules, whose targets are task bodies the
 * engine creates on each tick (./schedule-fire.ts).
 */
import { z } from "@hono/zod-openapi";
import { PRIORITY_NAMES } from "./task-status";

const Integration = z
  .string()
  .regex(/^[a-z0-9_.-]{1,64}$/)
  .openapi({ description: "Integration name; its token bucket (setting `integration_rate_limits`) paces these tasks" });

export const TaskAction = z
  .discriminatedUnion("kind", [
    z
      .object({ kind: z.literal("tool"), tool: z.string().min(1).max(200), input: z.unknown().optional() })
      .strict()
      .openapi("ToolAction", { description: "Call a tool (needs the tools:execute scope)" }),
    z
      .object({
        kind: z.literal("http"),
        method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
        url: z.string().min(1).max(2_000),
        headers: z.record(z.string().min(1).max(100), z.string().max(4_000)).optional(),
        body: z.unknown().optional(),
        expect_status: z.array(z.number().int().min(100).max(599)).max(20).optional(),
      })
      .strict()
      .openapi("HttpAction", {
        description: "Send an HTTP request; `Idempotency-Key` is the task id on every attempt",
      }),
    z
      .object({ kind: z.literal("agent"), agent_id: z.string().min(1).max(64), prompt: z.string().min(1).max(20_000) })
      .strict()
      .openapi("AgentAction", { description: "Send a prompt to one of your agents" }),
    z
      .object({ kind: z.literal("sleep"), ms: z.number().int().min(0).max(3_600_000) })
      .strict()
      .openapi("SleepAction", { description: "Wait, reporting progress (demos and benchmarks)" }),
    z
      .object({
        kind: z.literal("workflow"),
        workflow_id: z.string().min(1).max(64),
        version: z.number().int().min(1).optional(),
        input: z.unknown().optional(),
      })
      .strict()
      .openapi("WorkflowAction", { description: "Run a workflow; the task ends with the run" }),
    z
      .object({ kind: z.literal("group") })
      .strict()
      .openapi("GroupAction", { description: "No work of its own: finishes when its children do" }),
  ])
  .openapi("TaskAction", { description: "What the task does. Strings may hold `{{ task.parameters.x }}` templates." });
export type TaskAction = z.infer<typeof TaskAction>;

const taskFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5_000).optional(),
  action: TaskAction,
  parameters: z.record(z.string(), z.unknown()).optional().openapi({ description: "Free-form; templates read them" }),
  priority: z.enum(PRIORITY_NAMES).default("normal"),
  max_retries: z.number().int().min(0).max(20).optional().openapi({ description: "Default from `task_queue`" }),
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  integration: Integration.optional(),
  run_at: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: "Not before this time (pending until then)" }),
};

export const ChildTaskBody = z.object(taskFields).strict().openapi("CreateChildTaskRequest");

export const CreateTaskBody = z
  .object({
    ...taskFields,
    parent_id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "Make this a child of one of your unfinished tasks" }),
    children: z.array(ChildTaskBody).max(50).optional().openapi({ description: "Child tasks created with it" }),
  })
  .strict()
  .openapi("CreateTaskRequest");
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;
export type ChildTaskBody = z.infer<typeof ChildTaskBody>;
