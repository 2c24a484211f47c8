/**
 * `edgewise sync`: sends the replica's local changes and fetches everything new,
 * with a progress bar for large syncs (retries with backoff are the sync
 * client's). `edgewise conflicts ls|resolve`: the conflicts the server left for a
 * person; resolving writes a version of both sides locally, then syncs it.
 */
import type { Command } from "commander";
import type { ConflictState } from "../../../shared/graph-sync/protocol";
import { CliError } from "../errors";
import { type GraphSession, openGraph } from "../graph/session";
import { notice, Progress, printJson, printLine, renderTable, shortDate } from "../output";

async function runSync(graph: GraphSession, json: boolean | undefined) {
  const progress = new Progress({ label: "Syncing", total: graph.replica.outboxSize() || undefined });
  const stop = trackProgress(graph, progress);
  const report = await graph.sync.sync();
  stop();
  if (!report.ok) {
    progress.fail("sync failed");
    throw new CliError(report.error?.code ?? "sync_failed", `sync failed: ${report.error?.message}`, 1, [
      "your local changes are kept; run `edgewise sync` again when the server is reachable",
    ]);
  }
  progress.succeed(`synced: sent ${report.pushed}, received ${report.applied}`);
  if (json) return printJson(report);
  const parts = [`Sent ${plural(report.pushed, "change")}, received ${plural(report.applied, "update")}.`];
  if (report.merged) parts.push(`${report.merged} merged automatically.`);
  if (report.rejected.length) parts.push(`${report.rejected.length} refused by the server (kept in the replica).`);
  if (report.pendingConflicts)
    parts.push(`${plural(report.pendingConflicts, "conflict")} need you: \`edgewise conflicts ls\`.`);
  printLine(parts.join(" "));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Redraws the bar as rounds complete: done = items sent and received so far, of
 * an estimate (the server's feed position minus ours, plus what is left to send).
 */
function trackProgress(graph: GraphSession, progress: Progress): () => void {
  let done = 0;
  return graph.sync.onState((state, detail) => {
    if (state === "retrying_request") notice(`retrying: ${(detail as { error?: string } | undefined)?.error ?? ""}`);
    if (state !== "updating_vector_clock" && state !== "applying_changes") return;
    if (state === "applying_changes") done += (detail as { items?: number } | undefined)?.items ?? 0;
    const clock = JSON.parse(graph.replica.getMeta("server_clock") ?? "{}") as { server?: number };
    const behind = Math.max(0, (clock.server ?? 0) - graph.sync.cursor);
    progress.update(done, done + behind + graph.replica.outboxSize());
  });
}

function retries(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 20) throw new CliError("usage", "--retries is a whole number from 0 to 20");
  return n;
}

async function sync(options: { json?: boolean; retries: number }, command: Command) {
  const graph = await openGraph(command, { maxRetries: options.retries });
  try {
    await runSync(graph, options.json);
  } finally {
    graph.replica.close();
  }
}

function side(content: unknown): string {
  if (content === null || content === undefined) return "(deleted)";
  const text = JSON.stringify(content);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

async function list(options: { all?: boolean; json?: boolean }, command: Command) {
  const graph = await openGraph(command);
  try {
    const conflicts = graph.sync.conflicts(options.all ? undefined : "pending");
    if (options.json) return printJson(conflicts);
    if (!conflicts.length)
      return notice(options.all ? "No conflicts." : "No pending conflicts (as of your last sync).");
    const rows = conflicts.map((c: ConflictState) => [
      c.id,
      c.entity_id,
      c.entity_type,
      c.strategy,
      c.resolution_status,
      shortDate(c.created_at),
      side(c.conflict_data.local),
      side(c.subject === "entity" ? graph.sync.entity(c.entity_id)?.content : c.conflict_data.remote),
    ]);
    printLine(
      renderTable(["ID", "ENTITY", "TYPE", "STRATEGY", "STATUS", "WHEN", "INCOMING (local)", "CURRENT (remote)"], rows),
    );
  } finally {
    graph.replica.close();
  }
}

async function resolve(
  id: string,
  options: { take?: string; content?: string; sync: boolean; json?: boolean },
  command: Command,
) {
  if (!options.take === !options.content)
    throw new CliError("usage", "give either --take local|remote or --content <json>");
  if (options.take && options.take !== "local" && options.take !== "remote") {
    throw new CliError("usage", "--take is local (the incoming write) or remote (what is current)");
  }
  const graph = await openGraph(command);
  try {
    const choice = options.content
      ? { content: JSON.parse(options.content) as Record<string, unknown> }
      : (options.take as "local" | "remote");
    const entity = graph.sync.resolve(id, choice);
    notice(`Resolved locally: ${entity.type} ${entity.id} now descends from both sides.`);
    if (options.sync) await runSync(graph, options.json);
  } finally {
    graph.replica.close();
  }
}

export function registerSync(program: Command): void {
  program
    .command("sync")
    .description("send local graph changes and fetch what is new (with retries)")
    .option("--json", "print the report as JSON")
    .option("--retries <n>", "attempts after the first, with exponential backoff", retries, 5)
    .action(sync);
  const conflicts = program.command("conflicts").description("graph conflicts that need a person");
  conflicts
    .command("ls")
    .alias("list")
    .description("pending conflicts, as of the last sync")
    .option("--all", "include settled ones")
    .option("--json", "print JSON")
    .action(list);
  conflicts
    .command("resolve")
    .description("resolve a pending conflict with a version of both sides, then sync")
    .argument("<id>")
    .option("--take <side>", "local (the incoming write) or remote (what is current)")
    .option("--content <json>", "your own merged content")
    .option("--no-sync", "only write it locally; it goes with the next `edgewise sync`")
    .option("--json", "print the sync report as JSON")
    .action(resolve);
}
