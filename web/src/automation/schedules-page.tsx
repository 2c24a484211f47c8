/** /schedules: cron schedules with their next runs, a preview while typing, pause/resume, and recent runs. */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { api } from "../api/client";
import { Alert, Button, Field } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { automationApi } from "./api";
import { StatusPill } from "./progress-bar";
import type { Schedule, ScheduleRun } from "./types";

function CreateSchedule({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 9 * * 1-5");
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const [preview, setPreview] = useState<string[] | string>([]);
  const create = useAction(automationApi.createSchedule);
  useEffect(() => {
    const timer = setTimeout(() => {
      api
        .post<{ local: string[] }>("/cron/preview", { cron, timezone, count: 3 })
        .then((result) => setPreview(result.local))
        .catch((error: Error) => setPreview(error.message));
    }, 300);
    return () => clearTimeout(timer);
  }, [cron, timezone]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const target = { kind: "task", task: { title: name, action: { kind: "sleep", ms: 1000 } } };
    if (await create.run({ name, cron, timezone, target })) onCreated();
  };
  return (
    <form className="card form-grid" onSubmit={submit}>
      <h2>New schedule (queues a demo task each tick)</h2>
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
      <Field
        label="Cron"
        value={cron}
        onChange={(e) => setCron(e.target.value)}
        required
        hint="min hour day month weekday"
      />
      <Field label="Time zone" value={timezone} onChange={(e) => setTimezone(e.target.value)} required />
      <div className="small muted">Next: {typeof preview === "string" ? preview : preview.join(" · ")}</div>
      {create.error ? <Alert kind="error">{create.error}</Alert> : null}
      <Button type="submit" busy={create.busy}>
        Create schedule
      </Button>
    </form>
  );
}

function Runs({ scheduleId }: { scheduleId: string }) {
  const [runs, setRuns] = useState<ScheduleRun[] | null>(null);
  useEffect(() => {
    void automationApi.scheduleRuns(scheduleId).then((page) => setRuns(page.items));
  }, [scheduleId]);
  if (!runs) return null;
  if (!runs.length) return <p className="small muted">No runs yet.</p>;
  return (
    <ul className="small">
      {runs.map((run) => (
        <li key={run.id}>
          {formatDateTime(run.tick_at)} · {run.trigger} · <StatusPill status={run.status} />
          {run.latency_ms !== null ? ` · started after ${run.latency_ms} ms` : ""} · $
          {(run.cost_micros / 1e6).toFixed(4)}
          {run.error ? ` · ${run.error}` : ""}
        </li>
      ))}
    </ul>
  );
}

export function SchedulesPage() {
  const schedules = usePages<Schedule>(useCallback((cursor: string | null) => automationApi.listSchedules(cursor), []));
  const [open, setOpen] = useState<string | null>(null);
  const toggle = async (schedule: Schedule) =>
    schedules.replace(await automationApi.setScheduleEnabled(schedule.id, !schedule.enabled));
  return (
    <>
      <PageHeader
        title="Schedules"
        description="Cron in your time zone; missed ticks are skipped or caught up once, never doubled."
      />
      <CreateSchedule onCreated={() => schedules.reload()} />
      <section className="card">
        <h2>Your schedules</h2>
        <PagedList pages={schedules} loadingLabel="Loading schedules…" empty="No schedules yet.">
          {(items) => (
            <table className="table">
              <tbody>
                {items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <div className="strong">{s.name}</div>
                      <code className="small">
                        {s.cron} ({s.timezone})
                      </code>
                      {open === s.id ? <Runs scheduleId={s.id} /> : null}
                    </td>
                    <td>{s.enabled ? `next ${formatDateTime(s.next_run_at)}` : "paused"}</td>
                    <td className="actions">
                      <Button size="sm" variant="secondary" onClick={() => setOpen(open === s.id ? null : s.id)}>
                        Runs
                      </Button>
                      <Button size="sm" variant="secondary" onClick={() => void toggle(s)}>
                        {s.enabled ? "Pause" : "Resume"}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </PagedList>
      </section>
    </>
  );
}
