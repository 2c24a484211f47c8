/** A task's children on its page: each links to its own page, with live status, progress and actions. */
import type { LiveState } from "./live";
import { withLive } from "./live";
import { TaskRow } from "./task-row";
import type { Task, TaskDetail } from "./types";

type Props = {
  childTasks: TaskDetail["children"];
  live: Map<string, LiveState>;
  onChanged: (task: Task) => void;
};

export function TaskChildren({ childTasks, live, onChanged }: Props) {
  if (!childTasks.total) return <p className="muted small">No child tasks.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="task-children">
        <tbody>
          {childTasks.items.map((item) => (
            <TaskRow key={item.id} task={withLive(item, live)} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
      {childTasks.total > childTasks.items.length ? (
        <p className="muted small">
          Showing the first {childTasks.items.length} of {childTasks.total}.
        </p>
      ) : null}
    </div>
  );
}
