/**
 * `edgewise graph add|ls|show|set|rm|link|unlink|history`: your entity graph from
 * the local replica. Writes work offline and wait in the replica until
 * `edgewise sync`; reads show them on top of what the server last said. Only
 * `history` asks the server (the replica keeps current versions only).
 */
import type { Command } from "commander";
import { z } from "zod";
import { LocalWriteError } from "../../../shared/graph-sync/client";
import { ENTITY_TYPES, RELATIONSHIP_TYPES } from "../../../shared/graph-sync/content";
import type { EntityState } from "../../../shared/graph-sync/protocol";
import { CliError } from "../errors";
import { type GraphSession, openGraph, resolveEntityId } from "../graph/session";
import { notice, printJson, printLine, renderPairs, renderTable, shortDate } from "../output";

/** `--set a=1 --set b.c=x` → {a: 1, b: {c: "x"}}; values are JSON when they parse, text otherwise. */
export function parseAssignments(pairs: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new CliError("usage", `expected key=value, got ${JSON.stringify(pair)}`);
    let value: unknown = pair.slice(at + 1);
    try {
      value = JSON.parse(value as string);
    } catch {
      // Plain text.
    }
    const path = pair.slice(0, at).split(".");
    let target = result;
    for (const key of path.slice(0, -1)) {
      target[key] = typeof target[key] === "object" && target[key] !== null ? target[key] : {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return result;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const nameOf = (entity: EntityState | null) => String(entity?.content?.name ?? "");

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    const nested =
      typeof value === "object" && value && !Array.isArray(value) && typeof current === "object" && current;
    merged[key] = nested ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return merged;
}

/** Runs a local write, turning the client's refusal into a CLI error; closes the replica after. */
async function withGraph<T>(command: Command, fn: (graph: GraphSession) => T | Promise<T>): Promise<T> {
  const graph = await openGraph(command);
  try {
    return await fn(graph);
  } catch (error) {
    if (error instanceof LocalWriteError) throw new CliError(error.code, error.message);
    throw error;
  } finally {
    graph.replica.close();
  }
}

function pendingNote(graph: GraphSession) {
  const pending = graph.replica.outboxSize();
  if (pending) notice(`${pending} local change${pending === 1 ? "" : "s"} not synced yet; run \`edgewise sync\`.`);
}

function printEntity(entity: EntityState, json: boolean | undefined) {
  if (json) return printJson(entity);
  printLine(`${entity.type} ${entity.id}${entity.deleted ? " (deleted)" : ""}`);
}

type AddOptions = { set?: string[]; content?: string; id?: string; json?: boolean };

async function add(type: string, name: string, options: AddOptions, command: Command) {
  const content = {
    ...(options.content ? parseJsonOption(options.content) : {}),
    ...parseAssignments(options.set ?? []),
    name,
  };
  await withGraph(command, (graph) => {
    printEntity(graph.sync.create(type, content, options.id), options.json);
    pendingNote(graph);
  });
}

function parseJsonOption(text: string): Record<string, unknown> {
  const parsed = z.record(z.string(), z.unknown()).safeParse(
    (() => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })(),
  );
  if (!parsed.success) throw new CliError("usage", "--content must be a JSON object");
  return parsed.data;
}

async function list(options: { type?: string; all?: boolean; json?: boolean }, command: Command) {
  await withGraph(command, (graph) => {
    const entities = graph.sync.entities({ type: options.type, includeDeleted: options.all });
    if (options.json) return printJson(entities);
    if (!entities.length)
      return notice("No entities yet; add one with `edgewise graph add <type> <name>`, or `edgewise sync`.");
    const pending = new Set(graph.replica.pendingTargets());
    const rows = entities.map((e) => [
      e.id,
      e.type,
      nameOf(e),
      shortDate(e.updated_at),
      pending.has(e.id) ? "pending" : e.deleted ? "deleted" : "synced",
    ]);
    printLine(renderTable(["ID", "TYPE", "NAME", "UPDATED", "STATE"], rows));
  });
}

async function show(reference: string, options: { json?: boolean }, command: Command) {
  await withGraph(command, (graph) => {
    const entity = graph.sync.entity(resolveEntityId(graph.sync, reference))!;
    const links = graph.sync.relationships().filter((r) => r.from_id === entity.id || r.to_id === entity.id);
    const conflicts = graph.sync.conflicts("pending").filter((c) => c.entity_id === entity.id);
    if (options.json) return printJson({ entity, relationships: links, conflicts });
    printLine(`${entity.type} ${entity.id}${entity.deleted ? " (deleted)" : ""}`);
    printLine(
      renderPairs(
        Object.entries(entity.content ?? {}).map(([key, value]) => [
          key,
          typeof value === "string" ? value : JSON.stringify(value),
        ]),
      ),
    );
    printLine(`  version ${entity.version}${graph.replica.pendingFor(entity.id).length ? " (not synced yet)" : ""}`);
    for (const link of links) {
      const outgoing = link.from_id === entity.id;
      const other = graph.sync.entity(outgoing ? link.to_id : link.from_id);
      printLine(`  ${outgoing ? "→" : "←"} ${link.type} ${nameOf(other) || "?"} (${other?.id ?? "?"}) [${link.id}]`);
    }
    for (const conflict of conflicts) printLine(`  ! pending conflict ${conflict.id}: see \`edgewise conflicts ls\``);
  });
}

async function set(
  reference: string,
  assignments: string[],
  options: { unset?: string[]; json?: boolean },
  command: Command,
) {
  await withGraph(command, (graph) => {
    const id = resolveEntityId(graph.sync, reference);
    const content = deepMerge(graph.sync.entity(id)?.content ?? {}, parseAssignments(assignments));
    for (const key of options.unset ?? []) delete content[key];
    printEntity(graph.sync.update(id, content), options.json);
    pendingNote(graph);
  });
}

async function remove(reference: string, options: { json?: boolean }, command: Command) {
  await withGraph(command, (graph) => {
    printEntity(graph.sync.remove(resolveEntityId(graph.sync, reference)), options.json);
    pendingNote(graph);
  });
}

async function link(
  from: string,
  to: string,
  type: string,
  options: { set?: string[]; id?: string; json?: boolean },
  command: Command,
) {
  await withGraph(command, (graph) => {
    const ends = [resolveEntityId(graph.sync, from), resolveEntityId(graph.sync, to)] as const;
    const relationship = graph.sync.link(ends[0], ends[1], type, parseAssignments(options.set ?? []), options.id);
    if (options.json) printJson(relationship);
    else printLine(`${relationship.type} ${relationship.id}`);
    pendingNote(graph);
  });
}

async function unlink(id: string, _options: unknown, command: Command) {
  await withGraph(command, (graph) => {
    graph.sync.unlink(id);
    printLine(`unlinked ${id}`);
    pendingNote(graph);
  });
}

const HistoryPage = z.object({
  items: z.array(
    z.object({
      version: z.string(),
      parents: z.array(z.string()),
      content: z.record(z.string(), z.unknown()).nullable(),
      source_type: z.string(),
      device_id: z.string().nullable(),
      current: z.boolean(),
      created_at: z.string(),
    }),
  ),
  next_cursor: z.string().nullable(),
});

async function history(reference: string, options: { limit: string; json?: boolean }, command: Command) {
  await withGraph(command, async (graph) => {
    const id = resolveEntityId(graph.sync, reference);
    const page = await graph.client.get(`/graph/entities/${encodeURIComponent(id)}/history`, HistoryPage, {
      limit: options.limit,
    });
    const pending = graph.replica.pendingFor(id);
    if (options.json) return printJson({ pending, versions: page.items });
    for (const change of pending) printLine(`(pending) ${change.op} from this device, not synced yet`);
    const rows = page.items.map((v) => [
      v.current ? `* ${v.version}` : `  ${v.version}`,
      shortDate(v.created_at),
      v.source_type,
      v.device_id ?? "-",
      v.parents.join(",") || "-",
      v.content === null ? "(deleted)" : String(v.content.name ?? ""),
    ]);
    printLine(renderTable(["VERSION", "WHEN", "SOURCE", "DEVICE", "PARENTS", "NAME"], rows));
  });
}

export function registerGraph(program: Command): void {
  const graph = program.command("graph").description("your entity graph, from the local replica (works offline)");
  graph
    .command("add")
    .description(`add an entity; types: ${ENTITY_TYPES.join(", ")}`)
    .argument("<type>")
    .argument("<name>")
    .option("--set <key=value>", "another field (repeatable; dotted keys nest, values may be JSON)", collect)
    .option("--content <json>", "fields as a JSON object")
    .option("--id <id>", "choose the entity's id")
    .option("--json", "print the entity as JSON")
    .action(add);
  graph
    .command("ls")
    .alias("list")
    .description("list entities, by name")
    .option("--type <type>", "only this type")
    .option("--all", "include deleted entities")
    .option("--json", "print JSON")
    .action(list);
  graph
    .command("show")
    .description("an entity, its relationships and conflicts")
    .argument("<id>", "id or unique id prefix")
    .option("--json", "print JSON")
    .action(show);
  graph
    .command("set")
    .description("change fields of an entity")
    .argument("<id>")
    .argument("<key=value...>")
    .option("--unset <key>", "remove a field (repeatable)", collect)
    .option("--json", "print JSON")
    .action(set);
  graph.command("rm").description("delete an entity").argument("<id>").option("--json", "print JSON").action(remove);
  graph
    .command("link")
    .description(`relate two entities; types: ${RELATIONSHIP_TYPES.join(", ")}`)
    .argument("<from>")
    .argument("<to>")
    .argument("<type>")
    .option("--set <key=value>", "a property of the relationship (repeatable)", collect)
    .option("--id <id>", "choose the relationship's id")
    .option("--json", "print JSON")
    .action(link);
  graph.command("unlink").description("remove a relationship").argument("<relationship-id>").action(unlink);
  graph
    .command("history")
    .description("an entity's versions, newest first (asks the server)")
    .argument("<id>")
    .option("--limit <n>", "how many versions", "20")
    .option("--json", "print JSON")
    .action(history);
}
