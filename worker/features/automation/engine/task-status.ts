/**
 * The task status machine. pending (waiting for its start time) → queued (ready,
 * waiting for a slot) → running → succeeded | failed | cancelled, with retrying
 * (a failed attempt waiting out its backoff) in between. Every status write in
 * the service is a conditional UPDATE from one of the states allowed here, so
 * two writers (a cancel and a finishing attempt) cannot both win.
 */
import type { TaskStatus } from "../../../db/schema";

export const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ["queued", "cancelled"],
  queued: ["running", "cancelled"],
  // running → queued: an attempt interrupted by a crash goes back to the queue.
  running: ["succeeded", "failed", "retrying", "cancelled", "queued"],
  retrying: ["queued", "cancelled"],
  succeeded: [],
  // A manual retry (or a dead-letter replay) re-queues a finished failure; failed → running reopens a
  // parent that failed only because of a child, when that child is retried (./task-retry.ts).
  failed: ["queued", "running"],
  cancelled: ["queued"],
};

export const TERMINAL_STATUSES: readonly TaskStatus[] = ["succeeded", "failed", "cancelled"];
export const isTerminal = (status: TaskStatus) => TERMINAL_STATUSES.includes(status);

/** The states a task may be in for a move to `to`. */
export function fromStates(to: TaskStatus): TaskStatus[] {
  return (Object.keys(TRANSITIONS) as TaskStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const PRIORITIES = { low: 1, normal: 2, high: 3, urgent: 4 } as const;
export type PriorityName = keyof typeof PRIORITIES;
export const PRIORITY_NAMES = Object.keys(PRIORITIES) as PriorityName[];

export function priorityName(value: number): PriorityName {
  return PRIORITY_NAMES.find((name) => PRIORITIES[name] === value) ?? "normal";
}
