/**
 * The CLI's saved logins: one JSON file (mode 0600) holding a session per server,
 * keyed by base URL, so several servers can be logged in at once. Every change
 * re-reads the file first and replaces it atomically, so concurrent `edgewise`
 * processes never clobber each other's entries.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError } from "./errors";

const StoredSession = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string() }),
  session_id: z.string(),
  access_token: z.string(),
  refresh_token: z.string(),
  /** Epoch milliseconds; the client refreshes a little before this. */
  access_expires_at: z.number(),
  logged_in_at: z.string(),
});
export type StoredSession = z.infer<typeof StoredSession>;

// Loose, so keys written by a newer edgewise survive a rewrite by this one.
const ConfigFile = z.looseObject({
  version: z.literal(1),
  servers: z.record(z.string(), StoredSession),
});
type ConfigFile = z.infer<typeof ConfigFile>;

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), ".config");
  return join(base, "edgewise", "config.json");
}

/** `http://127.0.0.1:8787/` and `http://127.0.0.1:8787` are one server. */
export function serverKey(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export class ConfigStore {
  constructor(readonly path: string) {}

  getSession(baseUrl: string): StoredSession | undefined {
    return this.#read().servers[serverKey(baseUrl)];
  }

  saveSession(baseUrl: string, session: StoredSession): void {
    const file = this.#read();
    file.servers[serverKey(baseUrl)] = session;
    this.#write(file);
  }

  removeSession(baseUrl: string): boolean {
    const file = this.#read();
    const key = serverKey(baseUrl);
    if (!(key in file.servers)) return false;
    delete file.servers[key];
    this.#write(file);
    return true;
  }

  #read(): ConfigFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
      throw new CliError("config_unreadable", `cannot read ${this.path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.#corrupt("it is not valid JSON");
    }
    const parsed = ConfigFile.safeParse(json);
    if (!parsed.success) throw this.#corrupt(parsed.error.issues[0]?.message ?? "unexpected shape");
    return parsed.data;
  }

  #corrupt(reason: string) {
    return new CliError("config_invalid", `the config file ${this.path} is damaged (${reason})`, 1, [
      "fix it, or delete it and log in again",
    ]);
  }

  /** Write to a private temp file, then rename: readers see the old file or the new one, never half. */
  #write(file: ConfigFile): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    // writeFileSync's mode is filtered by the umask and ignored for an existing file; be explicit.
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }
}
