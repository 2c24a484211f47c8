/**
 * `edgewise tasks create|ls|show|watch|cancel|retry`. `watch` follows one task
 * live (topic `task:<id>` on the event WebSocket) with a progress bar on stderr,
 * and exits 0 when it succeeds, 1 when it fails or is cancelled.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { ApiClient } from "../api-client";
import { HubTicket } from "../api-types";
import { RecentEvents, Task, TaskDetail, TaskPage } from "../automation-types";
import { contextFrom } from "../context";
import { ApiError, CliError, EXIT } from "../errors";
import { LiveFeed } from "../live-feed";
import { notice, printJson, printLine, renderPairs, renderTable, shortDate, startProgress } from "../output";

const PRIORITIES = ["low", "normal", "high", "urgent"];
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

function choice(values: string[]) {
  return (value: string) => {
    if (!values.includes(value)) throw new InvalidArgumentError(`expected one of ${values.join(", ")}`);
    return value;
  };
}

function jsonArg(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidArgumentError("expected JSON, e.g. '{\"a\":1}'");
  }
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return number;
}

type CreateOptions = {
  title: string;
  sleep?: number;
  http?: string;
  method?: string;
  tool?: string;
  input?: unknown;
  workflow?: string;
  agent?: string;
  prompt?: string;
  priority: string;
  parent?: string;
  retries?: number;
  integration?: string;
  runAt?: string;
  watch?: boolean;
  json?: boolean;
};

function actionOf(options: CreateOptions): Record<string, unknown> {
  const given = [options.sleep !== undefined, !!options.http, !!options.tool, !!options.workflow, !!options.agent];
  if (given.filter(Boolean).length > 1)
    throw new CliError("usage", "give one of --sleep, --http, --tool, --workflow, --agent");
  if (options.http) return { kind: "http", url: options.http, method: options.method ?? "GET" };
  if (options.tool) return { kind: "tool", tool: options.tool, input: options.input ?? {} };
  if (options.workflow) return { kind: "workflow", workflow_id: options.workflow, input: options.input ?? {} };
  if (options.agent) {
    if (!options.prompt) throw new CliError("usage", "--agent needs --prompt");
    return { kind: "agent", agent_id: options.agent, prompt: options.prompt };
  }
  if (options.sleep !== undefined) return { kind: "sleep", ms: options.sleep };
  return { kind: "group" };
}

async function create(options: CreateOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const body = {
    title: options.title,
    action: actionOf(options),
    priority: options.priority,
    parent_id: options.parent,
    max_retries: options.retries,
    integration: options.integration,
    run_at: options.runAt,
  };
  const task = await client.post("/tasks", Task, body, { idempotent: true });
  if (options.json && !options.watch) return printJson(task);
  if (!options.json) printLine(task.id);
  notice(`Created task "${task.title}" (${task.kind}, ${task.priority}), ${task.status}.`);
  if (options.watch) await watchTask(client, task.id, options.json === true);
}

async function listAll(client: ApiClient, query: Record<string, string | undefined>, max: number) {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get("/tasks", TaskPage, { ...query, limit: Math.min(100, max - tasks.length), cursor });
    tasks.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && tasks.length < max);
  return tasks;
}

type ListOptions = {
  status?: string;
  parent?: string;
  priority?: string;
  search?: string;
  limit: number;
  json?: boolean;
};

async function list(options: ListOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const query = { status: options.status, parent_id: options.parent, priority: options.priority, q: options.search };
  const tasks = await listAll(client, query, options.limit);
  if (options.json) return printJson(tasks);
  if (tasks.length === 0) return notice("No tasks; create one with `edgewise tasks create`.");
  const rows = tasks.map((t) => [
    t.id,
    t.title.slice(0, 40),
    t.kind,
    t.priority,
    t.status,
    `${t.progress.percent}%`,
    shortDate(t.created_at),
    t.error ? t.error.slice(0, 60) : "",
  ]);
  printLine(renderTable(["ID", "TITLE", "KIND", "PRIORITY", "STATUS", "PROGRESS", "CREATED", "ERROR"], rows));
}

async function show(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const task = await client.get(`/tasks/${encodeURIComponent(id)}`, TaskDetail);
  if (options.json) return printJson(task);
  const children = Object.entries(task.children.by_status).map(([status, n]) => `${n} ${status}`);
  printLine(`${task.title} (${task.id})`);
  printLine(
    renderPairs([
      ["status", task.status],
      ["kind", task.kind],
      ["priority", task.priority],
      ["progress", `${task.progress.percent}%${task.progress.message ? ` — ${task.progress.message}` : ""}`],
      ["attempts", `${task.attempt} (retries ${task.retry_count})`],
      ["children", children.length ? children.join(", ") : "none"],
      ["error", task.error ?? "-"],
      ["result", task.result === null || task.result === undefined ? "-" : JSON.stringify(task.result).slice(0, 200)],
    ]),
  );
}

/** Follows a task until it finishes; the exit code says how it ended. */
async function watchTask(client: ApiClient, id: string, json: boolean): Promise<void> {
  const { last_event_id } = await client.get("/events", RecentEvents, { limit: 1 });
  let task = await client.get(`/tasks/${encodeURIComponent(id)}`, Task);
  const bar = startProgress({ label: task.title.slice(0, 30), total: 100 });
  bar.update(task.progress.percent);
  const finish = () => {
    const line = `${task.title}: ${task.status}${task.error ? ` — ${task.error}` : ""}`;
    if (task.status === "succeeded") bar.succeed(line);
    else bar.fail(line);
    if (json) printJson(task);
    if (task.status !== "succeeded") process.exitCode = EXIT.failure;
  };
  if (FINISHED.has(task.status)) return finish();
  const feed = new LiveFeed({
    connectUrl: async () => (await client.post("/ws/ticket", HubTicket)).url,
    retryable: (error) => !(error instanceof ApiError) || error.status >= 500,
    topics: [`task:${id}`],
    since: last_event_id,
    onStatus: () => {},
    onEvent: (event) => {
      const data = event.data as { id?: string; percent?: number };
      if (data.id !== id) return;
      if (event.type === "task.progress" && typeof data.percent === "number") bar.update(data.percent);
      if (/^task\.(succeeded|failed|cancelled)$/.test(event.type)) feed.stop();
    },
  });
  const onSignal = () => feed.stop();
  process.once("SIGINT", onSignal);
  try {
    await feed.run();
  } finally {
    process.off("SIGINT", onSignal);
  }
  task = await client.get(`/tasks/${encodeURIComponent(id)}`, Task);
  if (!FINISHED.has(task.status)) {
    bar.fail(`stopped watching; ${task.title} is ${task.status}`);
    process.exitCode = EXIT.interrupted;
  } else finish();
  setTimeout(() => process.exit(), 2_000).unref();
}

async function watch(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  if (typeof WebSocket === "undefined")
    throw new CliError("unsupported_runtime", `watching needs Node 22+, not ${process.version}`);
  await watchTask(contextFrom(command).client, id, options.json === true);
}

function transition(path: "cancel" | "retry", verb: string) {
  return async (id: string, options: { json?: boolean }, command: Command): Promise<void> => {
    const { client } = contextFrom(command);
    const task = await client.post(`/tasks/${encodeURIComponent(id)}/${path}`, Task);
    if (options.json) printJson(task);
    else printLine(`${verb} task "${task.title}" (${task.id}); it is ${task.status}.`);
  };
}

export function registerTasks(program: Command): void {
  const tasks = program.command("tasks").description("create, list, watch, cancel and retry tasks");
  tasks
    .command("create")
    .description("queue a task; prints its id (use --watch to follow it)")
    .requiredOption("--title <title>", "what the task is")
    .option("--sleep <ms>", "a task that waits, reporting progress", wholeNumber)
    .option("--http <url>", "a task that sends an HTTP request")
    .option("--method <method>", "HTTP method for --http", choice(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    .option("--tool <name>", "a task that calls a tool")
    .option("--workflow <id>", "a task that runs a workflow")
    .option("--agent <id>", "a task that prompts an agent (with --prompt)")
    .option("--prompt <text>", "the prompt for --agent")
    .option("--input <json>", "input for --tool or --workflow", jsonArg)
    .option("--priority <p>", "low, normal, high or urgent", choice(PRIORITIES), "normal")
    .option("--parent <id>", "make it a child of this task")
    .option("--retries <n>", "how many times to retry a failure", wholeNumber)
    .option("--integration <name>", "pace it with this integration's rate limit")
    .option("--run-at <iso>", "not before this time")
    .option("--watch", "follow the task with a progress bar until it finishes")
    .option("--json", "print the task as JSON")
    .action(create);
  tasks
    .command("ls")
    .alias("list")
    .description("list your tasks, newest first")
    .option("--status <list>", "comma-separated: pending,queued,running,retrying,succeeded,failed,cancelled")
    .option("--parent <id>", "children of this task (`none` for top-level)")
    .option("--priority <list>", "comma-separated priorities")
    .option("--search <text>", "title contains")
    .option("--limit <n>", "at most this many", wholeNumber, 50)
    .option("--json", "print the tasks as JSON")
    .action(list);
  tasks.command("show").description("show one task").argument("<id>").option("--json", "print as JSON").action(show);
  tasks
    .command("watch")
    .description("follow a task live with a progress bar; exit 0 if it succeeds")
    .argument("<id>")
    .option("--json", "print the finished task as JSON")
    .action(watch);
  tasks
    .command("cancel")
    .description("cancel a task and its unfinished children")
    .argument("<id>")
    .option("--json")
    .action(transition("cancel", "Cancelled"));
  tasks
    .command("retry")
    .description("run a failed or cancelled task again")
    .argument("<id>")
    .option("--json")
    .action(transition("retry", "Retried"));
}
