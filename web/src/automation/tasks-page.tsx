/** /tasks: create a task, and watch your tasks' status and progress live; cancel or retry them. */
import { type FormEvent, useCallback, useState } from "react";
import { describeError } from "../api/errors";
import { useUser } from "../auth/session";
import { Alert, Button, Field } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { useLiveStates, withLive } from "./live";
import { ProgressBar, StatusPill } from "./progress-bar";
import type { Task } from "./types";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

function CreateTaskForm({ onCreated }: { onCreated: (task: Task) => void }) {
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<"sleep" | "http">("sleep");
  const [target, setTarget] = useState("5000");
  const [priority, setPriority] = useState("normal");
  const create = useAction(automationApi.createTask);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const action = kind === "sleep" ? { kind, ms: Number(target) } : { kind, url: target };
    const task = await create.run({ title, action, priority });
    if (task) {
      setTitle("");
      onCreated(task);
    }
  };
  return (
    <form className="card form-grid" onSubmit={submit} data-testid="create-task">
      <h2>New task</h2>
      <Field
        label="Title"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        required
        maxLength={200}
        name="title"
      />
      <label className="field">
        <span>Kind</span>
        <select value={kind} onChange={(e) => setKind(e.target.value as "sleep" | "http")} name="kind">
          <option value="sleep">Sleep (demo, reports progress)</option>
          <option value="http">HTTP request</option>
        </select>
      </label>
      <Field
        label={kind === "sleep" ? "Duration (ms)" : "URL"}
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        required
        name="target"
      />
      <label className="field">
        <span>Priority</span>
        <select value={priority} onChange={(e) => setPriority(e.target.value)} name="priority">
          {["low", "normal", "high", "urgent"].map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      {create.error ? <Alert kind="error">{create.error}</Alert> : null}
      <Button type="submit" busy={create.busy}>
        Queue task
      </Button>
    </form>
  );
}

function TaskRow({ task, canWrite, onChanged }: { task: Task; canWrite: boolean; onChanged: (task: Task) => void }) {
  const act = useAction(async (kind: "cancel" | "retry") =>
    kind === "cancel" ? automationApi.cancelTask(task.id) : automationApi.retryTask(task.id),
  );
  const run = async (kind: "cancel" | "retry") => {
    const updated = await act.run(kind);
    if (updated) onChanged(updated);
  };
  return (
    <tr data-testid={`task-${task.id}`}>
      <td>
        <div className="strong">{task.title}</div>
        <div className="small muted">
          {task.kind} · {task.priority} · {formatDateTime(task.created_at)}
        </div>
        {task.error ? <div className="small error-text">{task.error}</div> : null}
        {act.error ? <div className="small error-text">{act.error}</div> : null}
      </td>
      <td>
        <StatusPill status={task.status} />
      </td>
      <td className="progress-cell">
        <ProgressBar progress={task.progress} status={task.status} />
      </td>
      <td className="actions">
        {canWrite && !FINISHED.has(task.status) ? (
          <Button size="sm" variant="secondary" busy={act.busy} onClick={() => void run("cancel")}>
            Cancel
          </Button>
        ) : null}
        {canWrite && (task.status === "failed" || task.status === "cancelled") ? (
          <Button size="sm" variant="secondary" busy={act.busy} onClick={() => void run("retry")}>
            Retry
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

export function TasksPage() {
  const user = useUser();
  const [status, setStatus] = useState("");
  const loader = useCallback((cursor: string | null) => automationApi.listTasks(cursor, status), [status]);
  const tasks = usePages<Task>(loader);
  const live = useLiveStates();
  const canWrite = user.scopes.includes("tasks:write");
  return (
    <>
      <PageHeader title="Tasks" description="Your queue: status and progress update live." />
      {canWrite ? <CreateTaskForm onCreated={() => tasks.reload()} /> : null}
      <section className="card">
        <div className="card-header">
          <h2>Your tasks</h2>
          <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Filter by status">
            <option value="">All</option>
            {["pending", "queued", "running", "retrying", "succeeded", "failed", "cancelled"].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        {tasks.error ? <Alert kind="error">{describeError(tasks.error)}</Alert> : null}
        <PagedList pages={tasks} loadingLabel="Loading tasks…" empty="No tasks yet.">
          {(items) => (
            <div className="table-wrap">
              <table className="table" data-testid="tasks-table">
                <thead>
                  <tr>
                    <th>Task</th>
                    <th>Status</th>
                    <th>Progress</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((task) => (
                    <TaskRow key={task.id} task={withLive(task, live)} canWrite={canWrite} onChanged={tasks.replace} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </>
  );
}
