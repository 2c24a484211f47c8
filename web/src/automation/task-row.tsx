/** One task as a table row (the tasks list, a task's children): a link to its page, status, progress, actions. */
import { formatDateTime } from "../ui/format";
import { Link } from "../ui/router";
import { taskPath } from "./paths";
import { ProgressBar, StatusPill } from "./progress-bar";
import { TaskActions } from "./task-actions";
import type { Task } from "./types";

export function TaskRow({ task, onChanged }: { task: Task; onChanged: (task: Task) => void }) {
  return (
    <tr data-testid={`task-${task.id}`}>
      <td>
        <Link className="strong" to={taskPath(task.id)}>
          {task.title}
        </Link>
        <div className="small muted">
          {task.kind} · {task.priority} · {formatDateTime(task.created_at)}
        </div>
        {task.error ? <div className="small error-text">{task.error}</div> : null}
      </td>
      <td>
        <StatusPill status={task.status} />
      </td>
      <td className="progress-cell">
        <ProgressBar progress={task.progress} status={task.status} />
      </td>
      <td className="actions">
        <TaskActions task={task} onChanged={onChanged} />
      </td>
    </tr>
  );
}
