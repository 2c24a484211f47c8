/**
 * The CLI's offline-first graph against the real app (wrangler dev): device A edits
 * its local replica with the server unreachable, its sync fails and keeps the
 * changes, then syncs when back; device B (another replica of the same account)
 * sees them. Then both edit one note at once: B gets a pending conflict, resolves
 * it, and A sees the resolution.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CliUser, ensureBuilt, removeScratchDirs } from "./support/cli";

const DEMO = { email: "demo@edgewise.dev", password: "edgewise-demo-pass" };

beforeAll(() => ensureBuilt());
afterAll(() => removeScratchDirs());

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("offline edit → sync → another device sees it", () => {
  const baseUrl = inject("baseUrl");
  const a = new CliUser(baseUrl);
  const b = new CliUser(baseUrl);
  const tag = `e2e${Date.now()}`;
  let apiKey = "";
  const replicaA = join(a.dir, "device-a.db");
  /** Device A: an API key and a pinned replica, so it keeps its replica while pointed at a dead server. */
  const asA = (args: string[], url = baseUrl) =>
    a.run(["--base-url", url, ...args], { env: { EDGEWISE_API_KEY: apiKey, EDGEWISE_REPLICA: replicaA } });

  beforeAll(async () => {
    for (const cli of [a, b]) {
      const login = await cli.run(["login", "--email", DEMO.email, "--password-stdin"], {
        input: `${DEMO.password}\n`,
      });
      expect(login.code).toBe(0);
    }
    const key = await a.run(["keys", "create", "--name", tag, "--scope", "graph:read,graph:write"]);
    apiKey = key.stdout.trim();
    expect(apiKey).toMatch(/^ewk_/);
  });

  it("edits offline, keeps the changes when sync cannot reach the server, and sends them when it can", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const room = await asA(["graph", "add", "room", `Kitchen ${tag}`, "--set", "floor=1", "--json"], dead);
    expect(room.code).toBe(0);
    const kitchen = JSON.parse(room.stdout) as { id: string };
    expect(room.stderr).toContain("1 local change not synced yet");
    const lamp = JSON.parse(
      (await asA(["graph", "add", "device", `Lamp ${tag}`, "--set", "category=light", "--json"], dead)).stdout,
    );
    expect((await asA(["graph", "link", lamp.id, kitchen.id, "located_in"], dead)).code).toBe(0);
    expect((await asA(["graph", "set", kitchen.id.slice(0, 12), "description=tiled"], dead)).code).toBe(0);

    const offline = await asA(["sync", "--retries", "1"], dead);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain("your local changes are kept");
    const listed = await asA(["graph", "ls"], dead);
    expect(listed.stdout).toMatch(new RegExp(`Kitchen ${tag}.*pending`));

    const online = await asA(["sync", "--json"]);
    expect(online.code, online.stderr).toBe(0);
    expect(JSON.parse(online.stdout)).toMatchObject({ ok: true, pushed: 4 });

    const pulled = await b.run(["sync"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const seen = await b.run(["graph", "show", kitchen.id, "--json"]);
    expect(JSON.parse(seen.stdout)).toMatchObject({
      entity: { type: "room", content: { name: `Kitchen ${tag}`, floor: 1, description: "tiled" } },
      relationships: [{ type: "located_in", from_id: lamp.id, to_id: kitchen.id }],
    });
    const text = await b.run(["graph", "ls", "--type", "room"]);
    expect(text.stdout).toMatch(new RegExp(`Kitchen ${tag}.*synced`));
  });

  it("leaves concurrent edits of a note pending; resolving on one device reaches the other", async () => {
    const note = JSON.parse(
      (await asA(["graph", "add", "note", `Wi-Fi ${tag}`, "--set", "body=ssid home", "--json"])).stdout,
    );
    expect((await asA(["sync"])).code).toBe(0);
    expect((await b.run(["sync"])).code).toBe(0);
    expect((await asA(["graph", "set", note.id, "body=from A"])).code).toBe(0);
    expect((await b.run(["graph", "set", note.id, "body=from B"])).code).toBe(0);
    expect((await asA(["sync"])).code).toBe(0);
    const clash = await b.run(["sync"]);
    expect(clash.stdout).toContain("1 conflict need");

    const pending = JSON.parse((await b.run(["conflicts", "ls", "--json"])).stdout) as {
      id: string;
      entity_id: string;
    }[];
    const mine = pending.find((c) => c.entity_id === note.id);
    expect(mine).toBeDefined();
    const table = await b.run(["conflicts", "ls"]);
    expect(table.stdout).toContain("from B");
    expect(table.stdout).toContain("from A");

    const resolved = await b.run(["conflicts", "resolve", mine!.id, "--take", "local"]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect((await b.run(["conflicts", "ls", "--json"])).stdout).not.toContain(mine!.id);

    expect((await asA(["sync"])).code).toBe(0);
    const onA = JSON.parse((await asA(["graph", "show", note.id, "--json"])).stdout);
    expect(onA.entity.content).toMatchObject({ body: "from B" });
    expect(onA.conflicts).toEqual([]);
    const history = JSON.parse((await asA(["graph", "history", note.id, "--json"])).stdout) as {
      versions: { current: boolean; parents: string[] }[];
    };
    expect(history.versions).toHaveLength(4);
    expect(history.versions[0]).toMatchObject({ current: true, parents: [expect.any(String), expect.any(String)] });
  });
});
