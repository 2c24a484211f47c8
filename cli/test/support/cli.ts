/**
 * Runs the built `edgewise` CLI as a real process for the tests in cli/test:
 * builds it first if cli/dist is missing or older than cli/src, gives each test
 * its own config file, and never lets the developer's EDGEWISE_* settings leak in.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(CLI_DIR, "bin", "edgewise.mjs");
const DIST = join(CLI_DIR, "dist", "edgewise.mjs");

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    }),
  );
}

export function ensureBuilt(): void {
  if (existsSync(DIST) && statSync(DIST).mtimeMs >= newestSource(join(CLI_DIR, "src"))) return;
  execFileSync(process.execPath, [join(CLI_DIR, "build.mjs")], { stdio: "inherit" });
}

const scratchDirs: string[] = [];

/** Deletes every scratch config folder this file's tests made (call from afterAll). */
export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export type Result = { code: number | null; stdout: string; stderr: string };

export type RunOptions = { input?: string; env?: Record<string, string> };

/** A scratch home for one test: its own config path and XDG dir. */
export class CliUser {
  readonly dir = mkdtempSync(join(tmpdir(), "edgewise-cli-test-"));
  readonly configPath = join(this.dir, "config.json");

  constructor(readonly baseUrl: string) {
    scratchDirs.push(this.dir);
  }

  #env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: this.dir, NO_COLOR: "1" };
    for (const name of Object.keys(env)) if (name.startsWith("EDGEWISE_")) delete env[name];
    return { ...env, ...extra };
  }

  spawn(args: string[], options: RunOptions = {}): ChildProcess {
    const child = spawn(process.execPath, [BIN, "--base-url", this.baseUrl, "--config", this.configPath, ...args], {
      env: this.#env(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin?.end(options.input ?? "");
    return child;
  }

  run(args: string[], options: RunOptions = {}): Promise<Result> {
    const child = this.spawn(args, options);
    return collect(child);
  }

  config(): ConfigFile {
    return JSON.parse(readFileSync(this.configPath, "utf8")) as ConfigFile;
  }

  session(): StoredSession {
    const session = this.config().servers[this.baseUrl];
    if (!session) throw new Error(`no saved session for ${this.baseUrl}`);
    return session;
  }

  editSession(change: (session: StoredSession) => StoredSession): void {
    const file = this.config();
    file.servers[this.baseUrl] = change(this.session());
    writeFileSync(this.configPath, JSON.stringify(file));
  }
}

type StoredSession = { access_token: string; refresh_token: string; session_id: string; user: { email: string } };
type ConfigFile = { version: number; servers: Record<string, StoredSession> };

export function collect(child: ChildProcess): Promise<Result> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once `pattern` shows up on the child's stderr (rejects after `ms`). */
export function waitForStderr(child: ChildProcess, pattern: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${ms} ms; got: ${seen}`)), ms);
    child.stderr?.on("data", (chunk) => {
      seen += chunk;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}
