/**
 * A task's log on its page: the events the store kept (GET /tasks/{id}/events,
 * read once) followed by what the live feed brings for the task and its
 * children, progress included, in event order and without repeats.
 */
import { useEffect, useMemo, useState } from "react";
import type { HubEvent } from "../api/types";
import { useHub } from "../events/hub-context";
import { formatTime } from "../ui/format";
import { automationApi } from "./api";

type TaskEventData = {
  id?: string;
  parent_id?: string | null;
  title?: string;
  status?: string;
  error?: string | null;
  percent?: number;
  message?: string | null;
};

/** Whether `event` is about the task or one of its children. */
function concerns(event: HubEvent, taskId: string, childIds: ReadonlySet<string>): boolean {
  if (!event.type.startsWith("task.")) return false;
  const data = (event.data ?? {}) as TaskEventData;
  return data.id === taskId || data.parent_id === taskId || (!!data.id && childIds.has(data.id));
}

export function useTaskLog(taskId: string, childIds: ReadonlySet<string>): HubEvent[] {
  const { snapshot } = useHub();
  const [stored, setStored] = useState<HubEvent[]>([]);
  useEffect(() => {
    let current = true;
    automationApi
      .taskEvents(taskId)
      .then((page) => current && setStored(page.items))
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [taskId]);
  return useMemo(() => {
    const byId = new Map(stored.map((event) => [event.id, event]));
    for (const event of snapshot.events) if (concerns(event, taskId, childIds)) byId.set(event.id, event);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }, [stored, snapshot.events, taskId, childIds]);
}

function describe(event: HubEvent): string {
  const data = (event.data ?? {}) as TaskEventData;
  if (event.type === "task.progress") return `${data.percent ?? 0}%${data.message ? ` · ${data.message}` : ""}`;
  return data.error ?? data.status ?? "";
}

export function TaskLog({
  events,
  taskId,
  titles,
}: {
  events: HubEvent[];
  taskId: string;
  titles: Map<string, string>;
}) {
  if (!events.length) return <p className="muted small">No events yet.</p>;
  return (
    <pre className="log-view" data-testid="task-log">
      {events
        .map((event) => {
          const data = (event.data ?? {}) as TaskEventData;
          const subject = data.id === taskId ? "this task" : (titles.get(data.id ?? "") ?? data.title ?? data.id);
          return `${formatTime(event.ts)} ${event.type.padEnd(15)} ${subject}  ${describe(event)}`;
        })
        .join("\n")}
    </pre>
  );
}
