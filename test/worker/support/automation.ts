/** Helpers for the automation suites: poll an API resource until it reaches a state. */
import { abortAllDurableObjects } from "cloudflare:test";
import { expect, vi } from "vitest";
import { call, json, type TestUser } from "./api";

export async function getJson<T>(user: TestUser, path: string): Promise<T> {
  const res = await call(path, { token: user.accessToken });
  expect(res.status, `${path} → ${res.status}`).toBe(200);
  return json<T>(res);
}

/** Polls `path` until `done(body)` holds; returns that body. */
export async function waitFor<T>(
  user: TestUser,
  path: string,
  done: (body: T) => boolean,
  timeout = 10_000,
): Promise<T> {
  let last: T | undefined;
  await vi.waitFor(
    async () => {
      last = await getJson<T>(user, path);
      if (!done(last)) throw new Error(`still waiting: ${JSON.stringify(last).slice(0, 500)}`);
    },
    { timeout, interval: 50 },
  );
  return last as T;
}

/**
 * Crashes every Durable Object the way a dead process would: in-memory state and
 * everything in flight are thrown away; storage (and alarms) survive.
 */
export async function crashAll() {
  await abortAllDurableObjects();
}
