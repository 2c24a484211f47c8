/**
 * `edgewise memory add|search|rm`: what the platform remembers. `add -` reads
 * the content from stdin; `search` prints the best chunks with where they came
 * from (a file's page, sheet or heading, or the memory's category).
 */
import type { Command } from "commander";
import { Memory, MemorySearchResult } from "../api-types";
import { contextFrom } from "../context";
import { CliError } from "../errors";
import { printJson, printLine, renderTable } from "../output";

const collect = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  ...value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

type AddOptions = { category?: string; tag?: string[]; expiresAt?: string; global?: boolean; json?: boolean };

async function add(words: string[], options: AddOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const content = (words.length === 1 && words[0] === "-" ? await readStdin() : words.join(" ")).trim();
  if (!content) throw new CliError("usage", "give the text to remember (or - to read it from stdin)");
  let expires: string | undefined;
  if (options.expiresAt) {
    const date = new Date(options.expiresAt);
    if (Number.isNaN(date.getTime())) throw new CliError("usage", "--expires-at takes an ISO 8601 date or date-time");
    expires = date.toISOString();
  }
  const body = {
    content,
    category: options.category,
    tags: options.tag,
    expires_at: expires,
    scope: options.global ? "global" : undefined,
  };
  const memory = await client.post("/memories", Memory, body, { idempotent: true });
  if (options.json) printJson(memory);
  else printLine(memory.id);
}

type SearchOptions = { mode: string; limit: string; category?: string; tag?: string[]; json?: boolean };

function sourceOf(hit: MemorySearchResult["results"][number]): string {
  const { filename, page, sheet, heading } = hit.citation;
  if (!filename) return hit.memory.category;
  return [filename, page ? `p.${page}` : sheet ? `sheet ${sheet}` : heading].filter(Boolean).join(" ");
}

async function search(words: string[], options: SearchOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  if (!["hybrid", "keyword", "vector"].includes(options.mode)) {
    throw new CliError("usage", "--mode is hybrid, keyword or vector");
  }
  const result = await client.get("/memories/search", MemorySearchResult, {
    q: words.join(" "),
    mode: options.mode,
    limit: options.limit,
    category: options.category,
    tags: options.tag?.join(","),
  });
  if (options.json) return printJson(result);
  if (!result.results.length) return printLine("No matches.");
  const rows = result.results.map((hit, i) => [
    String(i + 1),
    hit.memory_id,
    sourceOf(hit),
    hit.content.replace(/\s+/g, " ").slice(0, 100),
  ]);
  printLine(renderTable(["#", "MEMORY", "SOURCE", "TEXT"], rows));
}

async function remove(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const memory = await client.delete(`/memories/${encodeURIComponent(id)}`, Memory);
  if (options.json) printJson(memory);
  else printLine(`Forgot ${memory.id} (${memory.category}).`);
}

export function registerMemory(program: Command): void {
  const memory = program.command("memory").description("add, search and forget memories");
  memory
    .command("add")
    .description("remember something; prints the memory's id")
    .argument("<text...>", "what to remember, or - to read it from stdin")
    .option("--category <name>", "a category (general if omitted)")
    .option("--tag <tag>", "a tag (repeatable, or comma-separated)", collect)
    .option("--expires-at <iso>", "forget it after this time")
    .option("--global", "share it with every user (admins only)")
    .option("--json", "print the memory as JSON")
    .action(add);
  memory
    .command("search")
    .description("search memories and indexed files")
    .argument("<query...>", "what to look for")
    .option("--mode <mode>", "hybrid, keyword or vector", "hybrid")
    .option("--limit <n>", "at most this many results", "10")
    .option("--category <name>", "only this category")
    .option("--tag <tag>", "only memories with this tag (repeatable)", collect)
    .option("--json", "print the results as JSON")
    .action(search);
  memory
    .command("rm")
    .description("forget a memory")
    .argument("<id>", "the memory's id")
    .option("--json", "print the forgotten memory as JSON")
    .action(remove);
}
