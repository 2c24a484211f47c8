/**
 * The CLI's pure parts, without a server: tables, the progress bar, the config
 * file's privacy and keying, backoff, hub frame parsing, error details.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigStore, type StoredSession, serverKey } from "../src/config-store";
import { invalidTopics, parseFrame } from "../src/hub-frames";
import { backoffMs } from "../src/live-feed";
import { formatBytes, Progress, renderTable } from "../src/output";
import { detailLines } from "../src/report-error";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (chunk: string) => writes.push(chunk) } };
}

describe("output", () => {
  it("aligns table columns", () => {
    expect(
      renderTable(
        ["ID", "NAME"],
        [
          ["1", "alpha"],
          ["100", "b"],
        ],
      ),
    ).toBe("ID   NAME\n1    alpha\n100  b");
  });

  it("draws a progress bar with percent, sizes and ETA on a terminal", () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const progress = new Progress({ label: "upload", total: 1000, unit: "bytes", stream, now: () => now });
    now = 1000;
    progress.update(250);
    expect(progress.render()).toBe("upload ██████░░░░░░░░░░░░░░░░░░  25% 250 B/1000 B 250 B/s ETA 3s");
    progress.succeed("uploaded");
    expect(writes.at(-1)).toBe("✔ uploaded\n");
    expect(writes.some((chunk) => chunk.includes("upload █"))).toBe(true);
  });

  it("stays silent when stderr is not a terminal, except the final line", () => {
    const { writes, stream } = fakeStream(false);
    const progress = new Progress({ label: "work", stream });
    progress.advance(3);
    progress.succeed("done");
    expect(writes).toEqual(["✔ done\n"]);
  });

  it("formats byte counts", () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1024 ** 3)]).toEqual(["512 B", "2.0 KB", "5.0 GB"]);
  });
});

describe("config store", () => {
  const session = (email: string): StoredSession => ({
    user: { id: "u", email, name: "N", role: "developer" },
    session_id: "s",
    access_token: "a",
    refresh_token: "r",
    access_expires_at: 0,
    logged_in_at: "2026-01-01T00:00:00.000Z",
  });

  it("keys sessions by server, writes mode 0600, and keeps the other servers' entries", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgewise-store-"));
    const path = join(dir, "nested", "config.json");
    const store = new ConfigStore(path);
    store.saveSession("http://a.test:8787/", session("a@x"));
    store.saveSession("https://b.test", session("b@x"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.getSession("http://a.test:8787")?.user.email).toBe("a@x");
    expect(store.removeSession("http://a.test:8787")).toBe(true);
    expect(store.getSession("https://b.test/")?.user.email).toBe("b@x");
    expect(serverKey("https://b.test/base/")).toBe("https://b.test/base");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("live feed helpers", () => {
  it("backs off exponentially with jitter, capped at 30 s", () => {
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(3, () => 0)).toBe(2000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });

  it("parses known frames and skips anything else", () => {
    expect(parseFrame('{"type":"pong"}')).toEqual({ type: "pong" });
    expect(parseFrame('{"type":"event","event":{"id":1,"type":"x.y","ts":"t","data":{}}}')).toMatchObject({
      type: "event",
    });
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame('{"type":"from_the_future"}')).toBeNull();
    expect(parseFrame('{"type":"welcome"}')).toBeNull();
  });

  it("checks topic names as the hub does", () => {
    expect(invalidTopics(["*", "apikey", "auth.login", "entity:42", "Bad Topic", "a..b"])).toEqual([
      "Bad Topic",
      "a..b",
    ]);
  });
});

describe("error details", () => {
  it("renders validation issues and detail objects as lines", () => {
    expect(detailLines([{ path: "scopes.0", message: "Invalid option" }])).toEqual(["scopes.0: Invalid option"]);
    expect(detailLines({ missing: ["keys:write"], limit: 3 })).toEqual(["missing: keys:write", "limit: 3"]);
    expect(detailLines(null)).toEqual([]);
  });
});
