/**
 * Automation resources as the console reads them: the worker's own zod schemas
 * (the schemas.ts of each worker/features/automation folder), imported for their types only, so
 * nothing of the worker reaches the console's bundle.
 */

import type { z } from "zod";
import type { DeadLetterSchema } from "../../../worker/features/automation/dead-letters/schemas";
import type { ScheduleDetailSchema, ScheduleRunSchema } from "../../../worker/features/automation/schedules/schemas";
import type { TaskDetailSchema, TaskSchema } from "../../../worker/features/automation/tasks/schemas";
import type { DeliverySchema, WebhookSchema } from "../../../worker/features/automation/webhooks/schemas";
import type {
  LogsSchema,
  RunDetailSchema,
  RunSchema,
  StepRunSchema,
  ValidationSchema,
  VersionsSchema,
  WorkflowSchema,
} from "../../../worker/features/automation/workflows/schemas";

export type Task = z.infer<typeof TaskSchema>;
export type Progress = Task["progress"];
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export type Workflow = z.infer<typeof WorkflowSchema>;
export type WorkflowVersion = z.infer<typeof VersionsSchema>["items"][number];
export type StepRun = z.infer<typeof StepRunSchema>;
export type Run = z.infer<typeof RunSchema>;
/** A run with its steps: what starting, reading, cancelling or deciding on one run answers. */
export type RunDetail = z.infer<typeof RunDetailSchema>;
export type LogLine = z.infer<typeof LogsSchema>["items"][number];
export type Issue = z.infer<typeof ValidationSchema>["issues"][number];

export type Schedule = z.infer<typeof ScheduleDetailSchema>;
export type ScheduleRun = z.infer<typeof ScheduleRunSchema>;

export type Webhook = z.infer<typeof WebhookSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
