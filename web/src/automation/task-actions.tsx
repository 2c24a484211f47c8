/**
 * Cancel and Retry for one task, shown where the API allows them (cancel while it
 * is unfinished, retry once it failed or was cancelled) and the user may write tasks.
 * Used by the tasks list, a task's page and its children table.
 */
import { useUser } from "../auth/session";
import { Button } from "../ui/form";
import { useAction } from "../ui/use-action";
import { automationApi } from "./api";
import type { Task } from "./types";

export const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

type Props = { task: Pick<Task, "id" | "status">; onChanged: (task: Task) => void };

export function TaskActions({ task, onChanged }: Props) {
  const canWrite = useUser().scopes.includes("tasks:write");
  const act = useAction(async (kind: "cancel" | "retry") =>
    kind === "cancel" ? automationApi.cancelTask(task.id) : automationApi.retryTask(task.id),
  );
  if (!canWrite) return null;
  const run = async (kind: "cancel" | "retry") => {
    const updated = await act.run(kind);
    if (updated) onChanged(updated);
  };
  return (
    <>
      {!FINISHED.has(task.status) ? (
        <Button size="sm" variant="secondary" busy={act.busy} onClick={() => void run("cancel")}>
          Cancel
        </Button>
      ) : null}
      {task.status === "failed" || task.status === "cancelled" ? (
        <Button size="sm" variant="secondary" busy={act.busy} onClick={() => void run("retry")}>
          Retry
        </Button>
      ) : null}
      {act.error ? <div className="small error-text">{act.error}</div> : null}
    </>
  );
}
