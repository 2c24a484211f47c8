/**
 * `edgewise tasks|schedules` against the real server: create a task and watch it
 * to the end (exit 0), list it, cancel a long one, and preview a cron schedule.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CliUser, ensureBuilt, removeScratchDirs } from "./support/cli";

const baseUrl = inject("baseUrl");

afterAll(() => removeScratchDirs());

describe("tasks and schedules", () => {
  const cli = new CliUser(baseUrl);

  beforeAll(async () => {
    ensureBuilt();
    const login = await cli.run(["login", "--email", "demo@edgewise.dev", "--password-stdin"], {
      input: "edgewise-demo-pass",
    });
    expect(login.code, login.stderr).toBe(0);
  });

  it("creates a task and watches it to success", async () => {
    const result = await cli.run(["tasks", "create", "--title", "cli nap", "--sleep", "1200", "--watch", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const task = JSON.parse(result.stdout) as { id: string; status: string; progress: { percent: number } };
    expect(task).toMatchObject({ status: "succeeded", progress: { percent: 100 } });
    expect(result.stderr).toContain("cli nap: succeeded");
    const listed = await cli.run(["tasks", "ls", "--status", "succeeded", "--json"]);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((t) => t.id)).toContain(task.id);
  });

  it("cancels a running task; watching it then exits 1", async () => {
    const created = await cli.run(["tasks", "create", "--title", "cli long", "--sleep", "60000"]);
    const id = created.stdout.trim();
    expect(created.code, created.stderr).toBe(0);
    const cancelled = await cli.run(["tasks", "cancel", id]);
    expect(cancelled.stdout).toContain("it is cancelled");
    const watched = await cli.run(["tasks", "watch", id]);
    expect(watched.code).toBe(1);
    expect((await cli.run(["tasks", "retry", id])).stdout).toContain("it is queued");
    await cli.run(["tasks", "cancel", id]);
  });

  it("previews a schedule across time zones", async () => {
    const result = await cli.run([
      "schedules",
      "preview",
      "0 9 * * *",
      "--tz",
      "America/New_York",
      "--count",
      "2",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const preview = JSON.parse(result.stdout) as { next_runs: string[] };
    expect(preview.next_runs).toHaveLength(2);
    for (const tick of preview.next_runs) expect(new Date(tick).getUTCHours()).toBeGreaterThanOrEqual(13);
  });
});
