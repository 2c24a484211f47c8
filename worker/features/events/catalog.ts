/**
 * The typed events of the live hub. Every event is `{id, type, ts, data}`; `data`
 * is validated against its type's schema before it is published. The first
 * segment of a type is its topic (`apikey.created` → `apikey`); clients subscribe
 * to topics, exact types, or `*`. Later features add their types here.
 */
import { z } from "@hono/zod-openapi";
import { BUDGET_PERIODS, BUDGET_SCOPES } from "../../db/schema";

const SessionRef = z.object({ session_id: z.string() });

const TaskRef = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  status: z.string(),
  parent_id: z.string().nullable(),
  attempt: z.number().int(),
  retry_count: z.number().int(),
  error: z.string().nullable(),
});
const RunRef = z.object({
  run_id: z.string(),
  workflow_id: z.string(),
  version: z.number().int(),
  status: z.string(),
  task_id: z.string().nullable(),
  error: z.string().nullable(),
});
const FileRef = z.object({ file_id: z.string(), filename: z.string() });
const Progress = z.object({ percent: z.number().int().min(0).max(100), message: z.string().nullable() });

export const EVENT_SCHEMAS = {
  "auth.login": SessionRef.extend({ ip: z.string() }),
  "auth.logout": SessionRef,
  "auth.session_revoked": SessionRef.extend({ reason: z.string() }),
  "account.updated": z.object({ fields: z.array(z.string()) }),
  "apikey.created": z.object({ id: z.string(), name: z.string(), prefix: z.string(), scopes: z.array(z.string()) }),
  "apikey.revoked": z.object({ id: z.string(), name: z.string() }),
  "agent.created": z.object({ id: z.string(), name: z.string(), type: z.string() }),
  "agent.updated": z.object({ id: z.string(), name: z.string(), fields: z.array(z.string()) }),
  "agent.deleted": z.object({ id: z.string(), name: z.string() }),
  /** A chat turn stopped because its next step could cross this budget. */
  "usage.budget_exceeded": z.object({
    budget_id: z.string(),
    scope: z.enum(BUDGET_SCOPES),
    period: z.enum(BUDGET_PERIODS),
    agent_id: z.string(),
    session_id: z.string(),
  }),
  "system.notice": z.object({ level: z.enum(["info", "warning", "critical"]), message: z.string().max(2000) }),
  /** From chat sessions, so a user's other screens can show a pending approval or a finished answer. */
  "chat.approval_required": z.object({
    session_id: z.string(),
    turn_id: z.string(),
    call_id: z.string(),
    tool: z.string(),
  }),
  "chat.turn_ended": z.object({
    session_id: z.string(),
    turn_id: z.string(),
    status: z.enum(["completed", "failed", "cancelled"]),
    code: z.string().optional(),
  }),
  /** Published by users themselves through POST /api/v1/events. */
  "user.message": z.object({ text: z.string().min(1).max(4000) }),
  "user.custom": z.record(z.string(), z.unknown()),
  "task.created": TaskRef,
  "task.started": TaskRef,
  "task.progress": Progress.extend({ id: z.string() }),
  "task.retrying": TaskRef.extend({ next_attempt_at: z.string() }),
  "task.succeeded": TaskRef,
  "task.failed": TaskRef,
  "task.cancelled": TaskRef,
  "workflow.run_started": RunRef,
  "workflow.run_progress": Progress.extend({ run_id: z.string() }),
  "workflow.step_finished": z.object({
    run_id: z.string(),
    step_id: z.string(),
    kind: z.string(),
    status: z.string(),
    attempt: z.number().int(),
    error: z.string().nullable(),
    duration_ms: z.number().int().nullable(),
  }),
  "workflow.approval_requested": z.object({
    run_id: z.string(),
    workflow_id: z.string(),
    step_id: z.string(),
    message: z.string(),
  }),
  "workflow.run_succeeded": RunRef,
  "workflow.run_failed": RunRef,
  "workflow.run_cancelled": RunRef,
  "schedule.fired": z.object({
    schedule_id: z.string(),
    schedule_run_id: z.string(),
    tick: z.string(),
    task_id: z.string().nullable(),
    workflow_run_id: z.string().nullable(),
  }),
  "schedule.skipped": z.object({
    schedule_id: z.string(),
    tick: z.string(),
    missed_ticks: z.number().int(),
    reason: z.string(),
  }),
  "integration.rate_limited": z.object({
    integration: z.string(),
    retry_after_ms: z.number().int(),
    task_id: z.string().nullable(),
    run_id: z.string().nullable(),
  }),
  "integration.webhook_failed": z.object({
    subscription_id: z.string(),
    delivery_id: z.string(),
    attempts: z.number().int(),
    error: z.string(),
  }),
  "integration.webhook_disabled": z.object({ subscription_id: z.string(), name: z.string(), reason: z.string() }),
  "integration.webhook_test": z.object({ subscription_id: z.string(), message: z.string() }),
  "system.dead_letter": z.object({ id: z.string(), source: z.string(), source_id: z.string(), summary: z.string() }),
  /** Background extraction after an upload finished (documents/jobs.ts); also on topic `file:<id>`. */
  "file.extracted": FileRef.extend({
    status: z.literal("done"),
    kind: z.string(),
    /** PDF pages; null for other formats. */
    pages: z.number().int().nullable(),
    /** XLSX sheets; null for other formats. */
    sheets: z.number().int().nullable(),
    sections: z.number().int(),
    tables: z.number().int(),
  }),
  /** The document could not be read (corrupt, encrypted, too large); the file stays stored. */
  "file.extraction_failed": FileRef.extend({ status: z.literal("failed"), code: z.string(), message: z.string() }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

export const HubEventSchema = z
  .object({
    id: z
      .number()
      .int()
      .openapi({ description: "Increases by one per event for this user; resume with last_event_id" }),
    type: z.string().openapi({ example: "apikey.created" }),
    ts: z.string().openapi({ format: "date-time" }),
    data: z.unknown(),
  })
  .openapi("HubEvent");

export type HubEvent = { id: number; type: string; ts: string; data: unknown };

export function topicOf(type: string): string {
  return type.split(".")[0] ?? type;
}
