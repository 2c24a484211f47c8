/**
 * A lock file beside the config, held while a session's refresh token is spent.
 * Refresh tokens rotate and reusing a spent one ends the session, so two
 * `edgewise` processes must never refresh the same token at once.
 */
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "./errors";

/** A holder that crashed leaves its lock behind; after this long it is taken over. */
const STALE_MS = 15_000;
const WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tryAcquire(path: string): boolean {
  try {
    closeSync(openSync(path, "wx", 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}

function removeIfStale(path: string) {
  try {
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) unlinkSync(path);
  } catch {
    // Released (or taken over) meanwhile: the next attempt will tell.
  }
}

export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + WAIT_MS;
  while (!tryAcquire(path)) {
    if (Date.now() > deadline) {
      throw new CliError("config_locked", `another edgewise process holds ${path}`, 1, [
        "if no other edgewise is running, delete that file",
      ]);
    }
    removeIfStale(path);
    await sleep(25 + Math.random() * 50);
  }
  try {
    return await work();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // Already gone; nothing to release.
    }
  }
}
