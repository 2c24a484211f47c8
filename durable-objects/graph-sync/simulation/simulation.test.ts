/**
 * The randomized multi-device simulation (simulate.ts) in CI: 200 seeded runs of
 * 3–5 devices against the GraphSync engine in-process (each in a fresh Durable
 * Object's own SQLite), and a few through the real HTTP API as a logged-in user.
 * A failing run names its seed; `npm run bench:graph-sim -- --seeds 5000` runs many more.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PullResponse } from "../../../shared/graph-sync/protocol";
import { call, createUser, type TestUser } from "../../../test/worker/support/api";
import type { Outcome } from "../outcome";
import { GraphStore } from "../store";
import { feedState, type SimServer, storeServer, type VersionNode } from "./server";
import { type SimResult, simClock, simulate } from "./simulate";

const devicesFor = (seed: number) => 3 + (seed % 3);

function inProcess(seed: number): Promise<SimResult> {
  const stub = env.GRAPH_SYNC.getByName(`sim-${seed}-${crypto.randomUUID()}`);
  return runInDurableObject(stub, async (_instance, state) => {
    const clock = simClock();
    let ids = 0;
    const store = new GraphStore(state.storage.sql, (fn) => state.storage.transactionSync(fn), {
      now: () => clock.now,
      newId: () => `s${seed}-${++ids}`,
    });
    return simulate(seed, storeServer(store), clock, { devices: devicesFor(seed) });
  });
}

const summary = (results: SimResult[]) =>
  results.filter((r) => r.failures.length).map((r) => ({ seed: r.seed, failures: r.failures.slice(0, 5) }));

describe("in-process: 200 seeded runs converge and lose no write", () => {
  for (const [from, to] of [
    [1, 50],
    [51, 100],
    [101, 150],
    [151, 200],
  ] as const) {
    it(`seeds ${from}-${to}`, async () => {
      const results: SimResult[] = [];
      for (let seed = from; seed <= to; seed++) results.push(await inProcess(seed));
      expect(summary(results)).toEqual([]);
      // The runs really exercised the faults and the strategies.
      const total = (key: keyof SimResult["stats"]) => results.reduce((sum, r) => sum + r.stats[key], 0);
      for (const key of ["dropped", "duplicated", "late", "merged", "conflicts"] as const)
        expect(total(key)).toBeGreaterThan(0);
    }, 180_000);
  }
});

/** The authority behind the real Worker: every request is an HTTP call with the user's token. */
function httpServer(user: TestUser): SimServer {
  const send = async <T>(path: string, body: unknown, method = "POST"): Promise<Outcome<T>> => {
    const res = await call(path, { token: user.accessToken, body, method });
    const json = (await res.json()) as T & {
      error?: { code: string; message: string; details: Record<string, unknown> };
    };
    if (res.ok) return { ok: true, value: json };
    const error = json.error!;
    return { ok: false, status: res.status as 400, code: error.code, message: error.message, details: error.details };
  };
  return {
    push: (request) => send("/api/v1/graph/sync/push", request),
    pull: (request) => send("/api/v1/graph/sync/pull", request),
    apiPatch: async (id, patch) => void (await send(`/api/v1/graph/entities/${id}`, { patch }, "PATCH")),
    apiResolve: async (id, choose) => void (await send(`/api/v1/graph/conflicts/${id}/resolve`, { choose })),
    snapshot: async () => {
      const items: PullResponse["items"] = [];
      for (let cursor = 0, more = true; more; ) {
        const page = await send<PullResponse>("/api/v1/graph/sync/pull", {
          protocol_versions: [1],
          device_id: "observer",
          cursor,
          limit: 5000,
        });
        if (!page.ok) throw new Error(page.message);
        items.push(...page.value.items);
        ({ cursor, has_more: more } = page.value);
      }
      const state = feedState(items);
      const versions = new Map<string, VersionNode>();
      for (const entity of state.entities) {
        const res = await call(`/api/v1/graph/entities/${entity.id}/history?limit=100`, { token: user.accessToken });
        const page = (await res.json()) as { items: { version: string; parents: string[]; source_type: string }[] };
        for (const v of page.items)
          versions.set(v.version, { entityId: entity.id, parents: v.parents, source: v.source_type });
      }
      return { ...state, versions, changeLog: null };
    },
  };
}

describe("through HTTP", () => {
  it("3 seeded runs against the real Worker, API and Durable Object converge and lose no write", async () => {
    const results: SimResult[] = [];
    for (const seed of [1001, 1002, 1003]) {
      const user = await createUser();
      results.push(
        await simulate(seed, httpServer(user), simClock(Date.now() - 86_400_000), { devices: 3, steps: 100 }),
      );
    }
    expect(summary(results)).toEqual([]);
    expect(results.every((r) => r.stats.delivered > 10)).toBe(true);
  }, 180_000);
});
