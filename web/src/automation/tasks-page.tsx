/** /tasks: create a task, and watch your tasks' status and progress live; cancel or retry them, open one. */
import { type FormEvent, useCallback, useState } from "react";
import { useUser } from "../auth/session";
import { Alert, Button, Field } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { useLiveStates, withLive } from "./live";
import { TaskRow } from "./task-row";
import type { Task } from "./types";

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
                    <TaskRow key={task.id} task={withLive(task, live)} onChanged={tasks.replace} />
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
