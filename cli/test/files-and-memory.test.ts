/**
 * `edgewise files` and `edgewise memory` against the real app (wrangler dev from
 * test/e2e/global-setup.ts): upload a 3 MB file streamed with a progress bar,
 * list, download with checksum verification (to a file and to stdout), delete;
 * remember, search (finding an indexed file with its citation), forget.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CliUser, ensureBuilt, removeScratchDirs } from "./support/cli";

const DEMO = { email: "demo@edgewise.dev", password: "edgewise-demo-pass" };

beforeAll(() => ensureBuilt());
afterAll(() => removeScratchDirs());

describe("edgewise files", () => {
  const cli = new CliUser(inject("baseUrl"));
  const big = join(cli.dir, "big.log");
  let id = "";

  beforeAll(async () => {
    const login = await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: `${DEMO.password}\n` });
    expect(login.code).toBe(0);
    // Text with random words: sniffed as text, and large enough to stream in many chunks.
    writeFileSync(big, Array.from({ length: 60_000 }, () => `${randomBytes(24).toString("base64")}\n`).join(""));
  });

  it("put streams a file up, printing its id on stdout and a summary on stderr", async () => {
    const result = await cli.run(["files", "put", big, "--name", "upload.log"]);
    expect(result.stderr).toMatch(/✔ uploaded upload\.log \(\d+\.\d MB\) as [0-9a-f-]{36}/);
    expect(result.code).toBe(0);
    id = result.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("ls shows it; --json gives the API's shape", async () => {
    const table = await cli.run(["files", "ls", "--name", "upload.log"]);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+TYPE\s+SIZE/);
    expect(table.stdout).toContain(id);
    const json = JSON.parse((await cli.run(["files", "ls", "--json", "--limit", "5"])).stdout);
    expect(json[0]).toMatchObject({ id, filename: "upload.log", content_type: "text/plain" });
  });

  it("get downloads it, verified, to a file or to stdout", async () => {
    const out = join(cli.dir, "copy.log");
    const saved = await cli.run(["files", "get", id, "-o", out]);
    expect(saved.code).toBe(0);
    expect(saved.stderr).toContain("sha256 verified");
    expect(readFileSync(out).equals(readFileSync(big))).toBe(true);
    const small = join(cli.dir, "small.txt");
    writeFileSync(small, "hello from the cli\n");
    const smallId = (await cli.run(["files", "put", small])).stdout.trim();
    const piped = await cli.run(["files", "get", smallId, "-o", "-"]);
    expect(piped.stdout).toBe("hello from the cli\n");
  });

  it("rm deletes it; then get fails with the API's error", async () => {
    expect((await cli.run(["files", "rm", id])).stdout).toContain(`Deleted upload.log (${id})`);
    const gone = await cli.run(["files", "get", id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("File not found (not_found)");
  });

  it("put refuses what the server refuses, with its reason", async () => {
    const exe = join(cli.dir, "tool.exe");
    writeFileSync(exe, Buffer.concat([Buffer.from("MZ"), randomBytes(100)]));
    const refused = await cli.run(["files", "put", exe]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("executables are not accepted (unsupported_media_type)");
    expect((await cli.run(["files", "put", join(cli.dir, "missing")])).stderr).toContain("cannot read");
  });
});

describe("edgewise memory", () => {
  const cli = new CliUser(inject("baseUrl"));

  beforeAll(async () => {
    await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: `${DEMO.password}\n` });
  });

  it("adds, searches and forgets; search finds indexed files with their citation", async () => {
    const word = `zebrafinch${Date.now()}`;
    const added = await cli.run([
      "memory",
      "add",
      `The ${word} nests in the north tower.`,
      "--category",
      "birds",
      "--tag",
      "zoo",
    ]);
    expect(added.code).toBe(0);
    const memoryId = added.stdout.trim();
    const doc = join(cli.dir, "guide.md");
    writeFileSync(doc, `# Feeding\nThe ${word} eats millet twice a day.\n`);
    expect((await cli.run(["files", "put", doc, "--index"])).code).toBe(0);

    let table = "";
    for (let i = 0; i < 40 && !table.includes("guide.md"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      table = (await cli.run(["memory", "search", word])).stdout;
    }
    expect(table).toMatch(/^#\s+MEMORY\s+SOURCE\s+TEXT/);
    expect(table).toContain(memoryId);
    expect(table).toContain("guide.md Feeding");
    const json = JSON.parse((await cli.run(["memory", "search", word, "--mode", "keyword", "--json"])).stdout);
    expect(json.mode).toBe("keyword");
    expect(json.results.length).toBe(2);

    expect((await cli.run(["memory", "rm", memoryId])).stdout).toContain(`Forgot ${memoryId} (birds)`);
    const after = JSON.parse((await cli.run(["memory", "search", word, "--mode", "keyword", "--json"])).stdout);
    expect(after.results.map((hit: { memory_id: string }) => hit.memory_id)).not.toContain(memoryId);
  });

  it("add - reads stdin; bad options are usage errors", async () => {
    const fromStdin = await cli.run(["memory", "add", "-"], { input: "remembered from a pipe\n" });
    expect(fromStdin.code).toBe(0);
    expect((await cli.run(["memory", "search", "x", "--mode", "fuzzy"])).stderr).toContain("--mode is hybrid");
    const global = await cli.run(["memory", "add", "for everyone", "--global"]);
    expect(global.stderr).toContain("Writing a global memory needs the admin:memory scope");
  });
});
