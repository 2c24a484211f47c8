/**
 * `edgewise schedules create|ls|show|runs|pause|resume|rm|preview`: cron
 * schedules with time zones that start a task (or a workflow run) every tick.
 */
import type { Command } from "commander";
import { z } from "zod";
import { Preview, Schedule, SchedulePage, ScheduleRunPage } from "../automation-types";
import { contextFrom } from "../context";
import { CliError } from "../errors";
import { notice, printJson, printLine, renderPairs, renderTable, shortDate } from "../output";

type CreateOptions = {
  name: string;
  cron: string;
  tz: string;
  workflow?: string;
  sleep?: string;
  http?: string;
  title?: string;
  catchUp?: boolean;
  json?: boolean;
};

function targetOf(options: CreateOptions) {
  if (options.workflow) return { kind: "workflow", workflow_id: options.workflow };
  const title = options.title ?? options.name;
  if (options.http) return { kind: "task", task: { title, action: { kind: "http", url: options.http } } };
  if (options.sleep) return { kind: "task", task: { title, action: { kind: "sleep", ms: Number(options.sleep) } } };
  throw new CliError("usage", "give what each tick starts: --workflow <id>, --http <url> or --sleep <ms>");
}

async function create(options: CreateOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const body = {
    name: options.name,
    cron: options.cron,
    timezone: options.tz,
    target: targetOf(options),
    missed_policy: options.catchUp ? "catch_up_once" : "skip",
  };
  const schedule = await client.post("/schedules", Schedule, body, { idempotent: true });
  if (options.json) return printJson(schedule);
  printLine(schedule.id);
  notice(
    `Created schedule "${schedule.name}" (${schedule.cron} ${schedule.timezone}); next run ${shortDate(schedule.next_run_at)}.`,
  );
}

async function list(options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const page = await client.get("/schedules", SchedulePage, { limit: 100 });
  if (options.json) return printJson(page.items);
  if (!page.items.length) return notice("No schedules; create one with `edgewise schedules create`.");
  const rows = page.items.map((s) => [
    s.id,
    s.name,
    s.cron,
    s.timezone,
    s.enabled ? "on" : "paused",
    s.missed_policy,
    shortDate(s.next_run_at),
  ]);
  printLine(renderTable(["ID", "NAME", "CRON", "ZONE", "STATE", "MISSED", "NEXT RUN"], rows));
}

async function show(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const schedule = await client.get(`/schedules/${encodeURIComponent(id)}`, Schedule);
  if (options.json) return printJson(schedule);
  printLine(`${schedule.name} (${schedule.id})`);
  printLine(
    renderPairs([
      ["cron", `${schedule.cron} (${schedule.timezone})`],
      ["state", schedule.enabled ? "on" : "paused"],
      ["missed runs", schedule.missed_policy],
      ["next runs", (schedule.next_runs ?? []).map(shortDate).join(", ") || "-"],
    ]),
  );
}

async function runs(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const page = await client.get(`/schedules/${encodeURIComponent(id)}/runs`, ScheduleRunPage, { limit: 50 });
  if (options.json) return printJson(page.items);
  const rows = page.items.map((r) => [
    shortDate(r.tick_at),
    r.trigger,
    r.status,
    r.latency_ms === null ? "-" : `${r.latency_ms} ms`,
    `$${(r.cost_micros / 1e6).toFixed(4)}`,
    r.task_id ?? r.workflow_run_id ?? "-",
    r.error ?? "",
  ]);
  printLine(renderTable(["TICK", "TRIGGER", "STATUS", "LATENCY", "COST", "STARTED", "NOTE"], rows));
}

function toggle(enabled: boolean) {
  return async (id: string, _options: unknown, command: Command): Promise<void> => {
    const { client } = contextFrom(command);
    const schedule = await client.request("PATCH", `/schedules/${encodeURIComponent(id)}`, Schedule, {
      body: { enabled },
    });
    printLine(
      `Schedule "${schedule.name}" is ${enabled ? `on; next run ${shortDate(schedule.next_run_at)}` : "paused"}.`,
    );
  };
}

async function remove(id: string, _options: unknown, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const schedule = await client.delete(`/schedules/${encodeURIComponent(id)}`, z.looseObject({ name: z.string() }));
  printLine(`Deleted schedule "${schedule.name}".`);
}

async function preview(
  cron: string,
  options: { tz: string; count: string; json?: boolean },
  command: Command,
): Promise<void> {
  const { client } = contextFrom(command);
  const result = await client.post("/cron/preview", Preview, {
    cron,
    timezone: options.tz,
    count: Number(options.count),
  });
  if (options.json) return printJson(result);
  for (const [i, utc] of result.next_runs.entries()) printLine(`${utc}  ${result.local[i] ?? ""}`);
}

export function registerSchedules(program: Command): void {
  const schedules = program.command("schedules").description("cron schedules that start tasks or workflow runs");
  schedules
    .command("create")
    .description("create a schedule; prints its id")
    .requiredOption("--name <name>", "what it is")
    .requiredOption("--cron <expr>", "cron expression, e.g. '0 9 * * 1-5' (6 fields for seconds)")
    .option("--tz <zone>", "IANA time zone the cron is read in", "UTC")
    .option("--workflow <id>", "each tick runs this workflow")
    .option("--http <url>", "each tick queues an HTTP task")
    .option("--sleep <ms>", "each tick queues a sleep task (a demo)")
    .option("--title <title>", "title of the queued task")
    .option("--catch-up", "after downtime, run once for the missed ticks (default: skip them)")
    .option("--json")
    .action(create);
  schedules.command("ls").alias("list").description("list schedules with their next run").option("--json").action(list);
  schedules
    .command("show")
    .description("show a schedule and its next runs")
    .argument("<id>")
    .option("--json")
    .action(show);
  schedules
    .command("runs")
    .description("a schedule's runs: outcome, latency, cost")
    .argument("<id>")
    .option("--json")
    .action(runs);
  schedules.command("pause").description("stop firing").argument("<id>").action(toggle(false));
  schedules.command("resume").description("fire again from the next tick").argument("<id>").action(toggle(true));
  schedules.command("rm").description("delete a schedule").argument("<id>").action(remove);
  schedules
    .command("preview")
    .description("the next ticks of a cron expression")
    .argument("<cron>")
    .option("--tz <zone>", "time zone", "UTC")
    .option("--count <n>", "how many", "5")
    .option("--json")
    .action(preview);
}
