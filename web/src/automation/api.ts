/** The automation calls the console makes. */
import { api } from "../api/client";
import type { HubEvent, Page } from "../api/types";
import type {
  DeadLetter,
  Delivery,
  Issue,
  LogLine,
  Run,
  RunDetail,
  Schedule,
  ScheduleRun,
  Task,
  TaskDetail,
  Webhook,
  Workflow,
  WorkflowVersion,
} from "./types";

const id = (value: string) => encodeURIComponent(value);

export const automationApi = {
  listTasks: (cursor: string | null, status: string) =>
    api.get<Page<Task>>("/tasks", { query: { limit: 20, cursor, status: status || undefined, parent_id: "none" } }),
  getTask: (taskId: string) => api.get<TaskDetail>(`/tasks/${id(taskId)}`),
  taskEvents: (taskId: string) => api.get<{ items: HubEvent[] }>(`/tasks/${id(taskId)}/events`),
  createTask: (body: unknown) => api.post<Task>("/tasks", body),
  cancelTask: (taskId: string) => api.post<Task>(`/tasks/${id(taskId)}/cancel`),
  retryTask: (taskId: string) => api.post<Task>(`/tasks/${id(taskId)}/retry`),
  childrenOf: (taskId: string) => api.get<Page<Task>>("/tasks", { query: { limit: 100, parent_id: taskId } }),

  listWorkflows: (cursor: string | null) => api.get<Page<Workflow>>("/workflows", { query: { limit: 20, cursor } }),
  getWorkflow: (workflowId: string) => api.get<Workflow>(`/workflows/${id(workflowId)}`),
  validate: (definition: unknown) =>
    api.post<{ valid: boolean; issues: Issue[] }>("/workflow-definitions/validate", { definition }),
  createWorkflow: (body: unknown) => api.post<Workflow>("/workflows", body),
  saveWorkflow: (workflowId: string, body: unknown) => api.patch<Workflow>(`/workflows/${id(workflowId)}`, body),
  listVersions: (workflowId: string) => api.get<{ items: WorkflowVersion[] }>(`/workflows/${id(workflowId)}/versions`),
  startRun: (workflowId: string, input: unknown) => api.post<RunDetail>(`/workflows/${id(workflowId)}/runs`, { input }),
  listRuns: (cursor: string | null) => api.get<Page<Run>>("/workflow-runs", { query: { limit: 20, cursor } }),
  getRun: (runId: string) => api.get<RunDetail>(`/workflow-runs/${id(runId)}`),
  runLogs: (runId: string) => api.get<{ items: LogLine[] }>(`/workflow-runs/${id(runId)}/logs`),
  cancelRun: (runId: string) => api.post<RunDetail>(`/workflow-runs/${id(runId)}/cancel`),
  decide: (runId: string, stepId: string, decision: "approve" | "reject") =>
    api.post<RunDetail>(`/workflow-runs/${id(runId)}/approvals`, { step_id: stepId, decision }),

  listSchedules: (cursor: string | null) => api.get<Page<Schedule>>("/schedules", { query: { limit: 20, cursor } }),
  getSchedule: (scheduleId: string) => api.get<Schedule>(`/schedules/${id(scheduleId)}`),
  createSchedule: (body: unknown) => api.post<Schedule>("/schedules", body),
  setScheduleEnabled: (scheduleId: string, enabled: boolean) =>
    api.patch<Schedule>(`/schedules/${id(scheduleId)}`, { enabled }),
  scheduleRuns: (scheduleId: string) =>
    api.get<Page<ScheduleRun>>(`/schedules/${id(scheduleId)}/runs`, { query: { limit: 10 } }),

  listWebhooks: (cursor: string | null) => api.get<Page<Webhook>>("/webhooks", { query: { limit: 20, cursor } }),
  createWebhook: (body: unknown) => api.post<{ webhook: Webhook; secret: string | null }>("/webhooks", body),
  setWebhookEnabled: (webhookId: string, enabled: boolean) =>
    api.patch<Webhook>(`/webhooks/${id(webhookId)}`, { enabled }),
  deliveries: (webhookId: string) =>
    api.get<Page<Delivery>>(`/webhooks/${id(webhookId)}/deliveries`, { query: { limit: 20 } }),

  listDeadLetters: (cursor: string | null) =>
    api.get<Page<DeadLetter>>("/dead-letters", { query: { limit: 20, cursor } }),
  replayDeadLetter: (letterId: string) => api.post<{ dead_letter: DeadLetter }>(`/dead-letters/${id(letterId)}/replay`),
};
