/**
 * `edgewise workflows ls|run|runs|show-run`: start a run (optionally waiting for it
 * with a progress bar), list workflows and runs, and show a run's steps.
 */
import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { Run, RunPage, WorkflowPage } from "../automation-types";
import { contextFrom } from "../context";
import { EXIT } from "../errors";
import { notice, printJson, printLine, renderTable, shortDate, startProgress } from "../output";

function jsonInput(value: string): Record<string, unknown> {
  try {
    const text = value.startsWith("@") ? readFileSync(value.slice(1), "utf8") : value;
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InvalidArgumentError("expected JSON (or @file.json)");
  }
}

const ENDED = new Set(["succeeded", "failed", "cancelled"]);

async function list(options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const page = await client.get("/workflows", WorkflowPage, { limit: 100 });
  if (options.json) return printJson(page.items);
  if (!page.items.length) return notice("No workflows yet; create one in the console or with POST /api/v1/workflows.");
  printLine(
    renderTable(
      ["ID", "NAME", "VERSION", "CREATED"],
      page.items.map((w) => [w.id, w.name, `v${w.latest_version}`, shortDate(w.created_at)]),
    ),
  );
}

type RunOptions = { input?: Record<string, unknown>; version?: string; wait?: boolean; json?: boolean };

async function run(id: string, options: RunOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const body = { input: options.input ?? {}, ...(options.version && { version: Number(options.version) }) };
  let current = await client.post(`/workflows/${encodeURIComponent(id)}/runs`, Run, body, { idempotent: true });
  if (!options.wait) {
    if (options.json) return printJson(current);
    printLine(current.id);
    return notice(
      `Started run ${current.id} of v${current.version}; follow it with \`edgewise workflows show-run ${current.id}\`.`,
    );
  }
  const bar = startProgress({ label: `run ${current.id.slice(-8)}`, total: 100 });
  while (!ENDED.has(current.status)) {
    bar.update(current.progress.percent);
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await client.get(`/workflow-runs/${encodeURIComponent(current.id)}`, Run);
  }
  const line = `run ${current.id}: ${current.status}${current.error ? ` — ${current.error}` : ""}`;
  if (current.status === "succeeded") bar.succeed(line);
  else {
    bar.fail(line);
    process.exitCode = EXIT.failure;
  }
  if (options.json) printJson(current);
}

async function runs(options: { workflow?: string; json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const page = await client.get("/workflow-runs", RunPage, { limit: 100, workflow_id: options.workflow });
  if (options.json) return printJson(page.items);
  const rows = page.items.map((r) => [
    r.id,
    r.workflow_id,
    `v${r.version}`,
    r.status,
    `${r.progress.percent}%`,
    shortDate(r.started_at),
  ]);
  printLine(renderTable(["RUN", "WORKFLOW", "VERSION", "STATUS", "PROGRESS", "STARTED"], rows));
}

async function showRun(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const detail = await client.get(`/workflow-runs/${encodeURIComponent(id)}`, Run);
  if (options.json) return printJson(detail);
  printLine(
    `run ${detail.id} (workflow ${detail.workflow_id} v${detail.version}): ${detail.status} ${detail.progress.percent}%`,
  );
  if (detail.error) printLine(`error: ${detail.error}`);
  printLine(
    renderTable(
      ["STEP", "KIND", "STATUS", "ATTEMPTS"],
      (detail.steps ?? []).map((s) => [s.step_id, s.kind, s.status, String(s.attempt)]),
    ),
  );
}

export function registerWorkflows(program: Command): void {
  const workflows = program.command("workflows").description("list workflows, start and follow runs");
  workflows.command("ls").alias("list").description("list your workflows").option("--json").action(list);
  workflows
    .command("run")
    .description("start a run of a workflow; prints the run id")
    .argument("<id>", "the workflow's id")
    .option("--input <json>", "the run's input (JSON, or @file.json)", jsonInput)
    .option("--version <n>", "run this version instead of the latest")
    .option("--wait", "wait for the run with a progress bar; exit 0 if it succeeds")
    .option("--json", "print the run as JSON")
    .action(run);
  workflows
    .command("runs")
    .description("list runs, newest first")
    .option("--workflow <id>", "runs of this workflow")
    .option("--json")
    .action(runs);
  workflows
    .command("show-run")
    .description("show a run and its steps")
    .argument("<id>")
    .option("--json")
    .action(showRun);
}
