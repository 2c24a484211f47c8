/**
 * /tasks/:id: one task, live. Its facts (parameters, priority, retries,
 * timestamps, result or error), a progress bar and an event log fed by the hub,
 * its children with their statuses, and Cancel / Retry. A status event for the
 * task or a child reloads it from the API; progress comes straight from the feed.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, describeError } from "../api/errors";
import { Alert, Spinner } from "../ui/form";
import { formatData, formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { Link, matchPath, useLocation } from "../ui/router";
import { automationApi } from "./api";
import { useLiveStates, withLive } from "./live";
import { TASK_DETAIL_PATH, taskPath } from "./paths";
import { ProgressBar, StatusPill } from "./progress-bar";
import { TaskActions } from "./task-actions";
import { TaskChildren } from "./task-children";
import { TaskLog, useTaskLog } from "./task-log";
import type { TaskDetail } from "./types";

const FAILURE_CAUSE = {
  action: "Its own action failed.",
  children: "A child task did not succeed; retrying that child reopens this task.",
} as const;

export function TaskDetailPage() {
  const { path } = useLocation();
  const taskId = matchPath(TASK_DETAIL_PATH, path)?.id ?? "";
  // Keyed: moving between a parent and a child starts from an empty page, not the other task's.
  return <TaskView key={taskId} taskId={taskId} />;
}

/** The task as the API last described it; out-of-order answers never replace a newer one. */
function useTask(taskId: string) {
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const fresh = await automationApi.getTask(taskId);
      if (ticket !== latest.current) return;
      setTask(fresh);
      setError(null);
    } catch (caught) {
      if (ticket === latest.current) setError(caught);
    }
  }, [taskId]);
  return { task, error, reload };
}

function TaskView({ taskId }: { taskId: string }) {
  const { task, error, reload } = useTask(taskId);
  const childIds = useMemo(() => new Set(task?.children.items.map((child) => child.id)), [task]);
  const log = useTaskLog(taskId, childIds);
  const live = useLiveStates();
  const lastStatusEvent = log.filter((event) => event.type !== "task.progress").at(-1)?.id ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload whenever the task or a child changed status
  useEffect(() => {
    void reload();
  }, [reload, lastStatusEvent]);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <>
        <PageHeader title={missing ? "Task not found" : "Cannot load this task"} />
        <Alert kind="error">{missing ? "There is no task of yours with this id." : describeError(error)}</Alert>
        <Link to="/tasks">Back to your tasks</Link>
      </>
    );
  }
  if (!task) return <Spinner label="Loading the task…" />;
  const shown = withLive(task, live);
  const titles = new Map(task.children.items.map((child) => [child.id, child.title]));
  return (
    <>
      <PageHeader
        title={task.title}
        description={task.description || undefined}
        actions={<TaskActions task={shown} onChanged={() => void reload()} />}
      />
      <section className="card card-padded stack" data-testid="task-detail">
        <div className="progress-line">
          <StatusPill status={shown.status} />
          <ProgressBar progress={shown.progress} status={shown.status} />
        </div>
        {shown.error ? (
          <Alert kind="error" title={task.failure_cause ? FAILURE_CAUSE[task.failure_cause] : undefined}>
            {shown.error}
          </Alert>
        ) : null}
        <TaskFacts task={task} />
      </section>
      <section className="card card-padded">
        <h2>Children</h2>
        <TaskChildren childTasks={task.children} live={live} onChanged={() => void reload()} />
      </section>
      <section className="card card-padded">
        <h2>Events</h2>
        <TaskLog events={log} taskId={taskId} titles={titles} />
      </section>
    </>
  );
}

function TaskFacts({ task }: { task: TaskDetail }) {
  return (
    <dl className="details">
      <dt>Kind</dt>
      <dd>{task.kind}</dd>
      <dt>Priority</dt>
      <dd>{task.priority}</dd>
      <dt>Retries</dt>
      <dd data-testid="task-retries">
        {task.retry_count} of {task.max_retries} used · attempt {task.attempt}
      </dd>
      {task.parent_id ? (
        <>
          <dt>Parent</dt>
          <dd>
            <Link to={taskPath(task.parent_id)}>Parent task</Link>
          </dd>
        </>
      ) : null}
      {task.workflow_run_id ? (
        <>
          <dt>Workflow run</dt>
          <dd>
            <code>{task.workflow_run_id}</code>
          </dd>
        </>
      ) : null}
      <dt>Parameters</dt>
      <dd>
        <pre className="log-view">{JSON.stringify(task.parameters, null, 2)}</pre>
      </dd>
      <dt>Result</dt>
      <dd>{task.result === null ? "—" : <pre className="log-view">{formatData(task.result)}</pre>}</dd>
      <dt>Created</dt>
      <dd>{formatDateTime(task.created_at)}</dd>
      <dt>Not before</dt>
      <dd>{formatDateTime(task.run_after)}</dd>
      <dt>Started</dt>
      <dd>{formatDateTime(task.started_at)}</dd>
      <dt>Completed</dt>
      <dd>{formatDateTime(task.completed_at)}</dd>
      <dt>Updated</dt>
      <dd>{formatDateTime(task.updated_at)}</dd>
    </dl>
  );
}
