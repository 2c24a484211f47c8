/**
 * `edgewise files put|get|ls|rm`: files on the server. Uploads stream from disk
 * (PUT with Content-Length) and downloads stream to disk, both under a progress
 * bar on stderr; a download is checked against the file's SHA-256 before it
 * replaces anything.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from "node:fs";
import { basename } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import type { ApiClient } from "../api-client";
import { FileInfo, FilePage } from "../api-types";
import { contextFrom } from "../context";
import { CliError } from "../errors";
import { parseReply, send } from "../http";
import { formatBytes, notice, printJson, printLine, renderTable, shortDate, startProgress } from "../output";

/** Counts bytes as they pass, for the progress bar. */
function counter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}

type PutOptions = { name?: string; index?: boolean; session?: string; json?: boolean };

async function put(path: string, options: PutOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CliError("file_not_found", `cannot read ${path}`);
  }
  const filename = options.name ?? basename(path);
  const url = client.url("/files", {
    filename,
    index: options.index ? "true" : undefined,
    session_id: options.session,
  });
  const progress = startProgress({ label: `↑ ${filename}`, total: size, unit: "bytes" });
  try {
    const body = createReadStream(path).pipe(counter((done) => progress.update(done)));
    const response = await send(url, {
      method: "PUT",
      headers: {
        ...(await client.authHeaders()),
        "content-type": "application/octet-stream",
        "content-length": String(size),
        accept: "application/json",
      },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: "half",
    });
    const file = await parseReply({ method: "PUT", url }, response, FileInfo);
    progress.succeed(`uploaded ${filename} (${formatBytes(file.size)}) as ${file.id}`);
    if (options.json) printJson(file);
    else printLine(file.id);
  } catch (error) {
    progress.fail();
    throw error;
  }
}

async function get(id: string, options: { output?: string }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const file = await client.get(`/files/${encodeURIComponent(id)}`, FileInfo);
  const target = options.output ?? file.filename;
  const url = client.url(`/files/${encodeURIComponent(id)}/content`);
  const response = await send(url, { headers: await client.authHeaders() });
  if (!response.ok || !response.body) await parseReply({ method: "GET", url }, response, FileInfo);
  const hash = createHash("sha256");
  const toStdout = target === "-";
  const partial = `${target}.part`;
  const progress = startProgress({ label: `↓ ${file.filename}`, total: file.size, unit: "bytes" });
  try {
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      counter((done) => progress.update(done)),
      hashing,
      toStdout ? process.stdout : createWriteStream(partial),
      { end: !toStdout },
    );
    if (hash.digest("hex") !== file.sha256) {
      throw new CliError(
        "checksum_mismatch",
        `the download of ${file.id} does not match its SHA-256; nothing was saved`,
      );
    }
    if (!toStdout) renameSync(partial, target);
    progress.succeed(toStdout ? undefined : `saved ${target} (${formatBytes(file.size)}, sha256 verified)`);
  } catch (error) {
    progress.fail();
    if (!toStdout) rmSync(partial, { force: true });
    throw error;
  }
}

async function listAll(client: ApiClient, query: Record<string, string | undefined>, max: number) {
  const files: FileInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get("/files", FilePage, { ...query, limit: Math.min(100, max - files.length), cursor });
    files.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && files.length < max);
  return files;
}

type ListOptions = { type?: string; name?: string; limit: string; json?: boolean };

async function list(options: ListOptions, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const max = Number(options.limit);
  if (!Number.isInteger(max) || max < 1) throw new CliError("usage", "--limit takes a positive whole number");
  const files = await listAll(client, { content_type: options.type, q: options.name }, max);
  if (options.json) return printJson(files);
  if (!files.length) return notice("No files yet; upload one with `edgewise files put <path>`.");
  const rows = files.map((f) => [
    f.id,
    f.filename,
    f.content_type,
    formatBytes(f.size),
    f.extraction.status,
    f.indexed_at ? "yes" : "-",
    shortDate(f.created_at),
  ]);
  printLine(renderTable(["ID", "NAME", "TYPE", "SIZE", "TEXT", "INDEXED", "CREATED"], rows));
}

async function remove(id: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const file = await client.delete(`/files/${encodeURIComponent(id)}`, FileInfo);
  if (options.json) printJson(file);
  else printLine(`Deleted ${file.filename} (${file.id}).`);
}

export function registerFiles(program: Command): void {
  const files = program.command("files").description("upload, download, list and delete files");
  files
    .command("put")
    .description("upload a file (streamed, with a progress bar); prints its id")
    .argument("<path>", "the file to upload")
    .option("--name <filename>", "store it under another name")
    .option("--index", "add its text to the knowledge base once extracted")
    .option("--session <id>", "attach it to one of your chat sessions")
    .option("--json", "print the stored file as JSON")
    .action(put);
  files
    .command("get")
    .description("download a file, verifying its SHA-256")
    .argument("<id>", "the file's id")
    .option("-o, --output <path>", "where to save it (its own name if omitted; - for stdout)")
    .action(get);
  files
    .command("ls")
    .alias("list")
    .description("list your files, newest first")
    .option("--type <content-type>", "only this type, or a family such as text/*")
    .option("--name <part>", "only names containing this")
    .option("--limit <n>", "at most this many", "100")
    .option("--json", "print the files as JSON")
    .action(list);
  files
    .command("rm")
    .description("delete a file, its extracted text and its knowledge")
    .argument("<id>", "the file's id")
    .option("--json", "print the deleted file as JSON")
    .action(remove);
}
