/**
 * The console's task path in real headless Chromium against `wrangler dev`:
 * log in → Tasks → queue a task → its progress bar moves live (hub events, no
 * reload) → it succeeds at 100%; a long task is cancelled from the list. A task's
 * own page shows its children, progress, status and log moving live; Cancel and
 * Retry work there, and retrying the child that failed its parent revives it.
 * The workflow editor saves a new version of a workflow, lists its versions, and a
 * run says which version it used. Build the console first: `npm run build:web`.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createTask } from "./console-api";
import { launchBrowser, openPage } from "./support/browser";
import { byTestId, signInNewUser } from "./support/sign-in";

let browser: Browser;
const baseURL = inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function queueTask(page: Page, title: string, ms: number) {
  const form = byTestId(page, "create-task");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Duration (ms)").fill(String(ms));
  await form.getByRole("button", { name: "Queue task" }).click();
  return page.locator("tr", { hasText: title });
}

/** Waits until the progress bar's value is within [min, max] (values arrive over the live feed). */
async function waitForProgress(page: Page, bar: Locator, min: number, max = min) {
  await page.waitForFunction(
    ([el, low, high]) => {
      const value = Number(el?.getAttribute("aria-valuenow"));
      return value >= low && value <= high;
    },
    [await bar.elementHandle(), min, max] as const,
    { timeout: 15_000 },
  );
}

const statusIs = (scope: Locator, status: string) =>
  scope.locator('[data-testid="status"]', { hasText: status }).waitFor({ timeout: 20_000 });

it("queues a task and shows its progress live until it succeeds; cancels another", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await signInNewUser(page, baseURL, "tasks");

  await byTestId(page, "nav-tasks").click();
  await page.waitForURL(/\/tasks$/);
  const row = await queueTask(page, "Nightly report", 4_000);
  await row.waitFor();
  const bar = row.getByRole("progressbar");

  // Progress arrives over the live feed while the task runs: somewhere strictly between 0 and 100.
  await waitForProgress(page, bar, 1, 99);
  expect(await row.getByTestId("status").textContent()).toBe("running");

  await statusIs(row, "succeeded");
  expect(await bar.getAttribute("aria-valuenow")).toBe("100");

  const long = await queueTask(page, "Long import", 60_000);
  await statusIs(long, "running");
  await long.getByRole("button", { name: "Cancel" }).click();
  await statusIs(long, "cancelled");
  await long.getByRole("button", { name: "Retry" }).waitFor();
});

it("shows a task's page live: children, progress, log; cancel and retry revive its parent", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  const { token } = await signInNewUser(page, baseURL, "task-page");
  const later = new Date(Date.now() + 600_000).toISOString();
  const digest = await createTask(baseURL, token, {
    title: "Weekly digest",
    description: "Numbers for the Monday meeting",
    action: { kind: "group" },
    parameters: { week: 12 },
    children: [
      { title: "Collect numbers", action: { kind: "sleep", ms: 4_000 } },
      { title: "Render digest", action: { kind: "sleep", ms: 1_500 }, run_at: later },
    ],
  });
  const [collect, render] = digest.children as [{ id: string }, { id: string }];

  await byTestId(page, "nav-tasks").click();
  await page.getByRole("link", { name: "Weekly digest" }).click();
  await page.waitForURL(new RegExp(`/tasks/${digest.id}$`));
  const detail = byTestId(page, "task-detail");
  await page.getByText("Numbers for the Monday meeting").waitFor();
  expect(await detail.textContent()).toContain('"week": 12');
  const children = byTestId(page, "task-children");
  const collectRow = children.locator(`[data-testid="task-${collect.id}"]`);
  const renderRow = children.locator(`[data-testid="task-${render.id}"]`);

  // A child's progress and status, then the parent's children-done progress, all from the live feed.
  await waitForProgress(page, collectRow.getByRole("progressbar"), 1, 99);
  await statusIs(collectRow, "succeeded");
  await waitForProgress(page, detail.getByRole("progressbar"), 50);
  expect(await detail.getByTestId("status").textContent()).toBe("running");
  await byTestId(page, "task-log").filter({ hasText: "task.succeeded" }).waitFor();
  expect(await renderRow.getByTestId("status").textContent()).toBe("pending");

  // The waiting child, cancelled on its own page: its parent then fails because of it.
  await renderRow.getByRole("link", { name: "Render digest" }).click();
  await page.waitForURL(new RegExp(`/tasks/${render.id}$`));
  await statusIs(detail, "pending");
  await page.locator(".page-actions").getByRole("button", { name: "Cancel" }).click();
  await statusIs(detail, "cancelled");
  await page.locator(".page-actions").getByRole("button", { name: "Retry" }).waitFor();
  await page.getByRole("link", { name: "Parent task" }).click();
  await page.waitForURL(new RegExp(`/tasks/${digest.id}$`));
  await statusIs(detail, "failed");
  await detail.getByText("1 of 2 child tasks did not succeed").waitFor();

  // Retrying that child from the parent's page reopens the parent, which succeeds when the child does.
  await renderRow.getByRole("button", { name: "Retry" }).click();
  await statusIs(renderRow, "succeeded");
  await statusIs(detail, "succeeded");
  await waitForProgress(page, detail.getByRole("progressbar"), 100);
  const log = (await byTestId(page, "task-log").textContent()) ?? "";
  expect(log).toMatch(/task\.failed[\s\S]*task\.started[\s\S]*task\.succeeded\s+this task/);
  expect(log).toContain("task.retrying");
});

const definition = (...ids: string[]) =>
  JSON.stringify({ steps: ids.map((id) => ({ id, kind: "sleep", ms: 10 })) }, null, 2);

it("saves a new version of a workflow from the editor, lists its versions and runs the latest", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await signInNewUser(page, baseURL, "workflows");
  await byTestId(page, "nav-workflows").click();
  await page.waitForURL(/\/workflows$/);

  const editor = byTestId(page, "workflow-editor");
  const json = editor.getByLabel("Definition (JSON)");
  await editor.getByLabel("Name").fill("Order sync");
  await json.fill(definition("fetch"));
  await editor.getByRole("button", { name: "Save workflow" }).click();
  await editor.getByRole("heading", { name: "Edit Order sync (latest: version 1)" }).waitFor();
  const row = byTestId(page, "workflows-table").locator("tr", { hasText: "Order sync" });
  await row.getByTestId("latest-version").filter({ hasText: "v1" }).waitFor();
  expect(await json.inputValue()).toContain('"fetch"');

  // A bad edit: the issues show with their path, and the next version cannot be saved.
  await json.fill(JSON.stringify({ steps: [{ id: "fetch", kind: "teleport" }] }));
  await byTestId(page, "definition-issues").getByText("steps.0").first().waitFor();
  expect(await editor.getByRole("button", { name: "Save as version 2" }).isDisabled()).toBe(true);

  await json.fill(definition("fetch", "store"));
  await editor.getByText("Valid", { exact: true }).waitFor();
  await editor.getByRole("button", { name: "Save as version 2" }).click();
  await editor.getByRole("heading", { name: "Edit Order sync (latest: version 2)" }).waitFor();
  await row.getByTestId("latest-version").filter({ hasText: "v2" }).waitFor();
  const versions = byTestId(page, "workflow-versions");
  await versions.getByTestId("version-2").getByText("latest").waitFor();
  await versions.getByTestId("version-1").waitFor();

  // Loading version 1 back puts its definition in the editor (saving it would make version 3).
  await versions.getByTestId("version-1").getByRole("button", { name: "Load into editor" }).click();
  await expect.poll(() => json.inputValue()).not.toContain('"store"');
  await editor.getByRole("button", { name: "Save as version 3" }).waitFor();

  await row.getByRole("button", { name: "Run" }).click();
  const run = byTestId(page, "run-detail");
  await run.getByTestId("run-version").filter({ hasText: "version 2" }).waitFor();
  // The run's own pill comes first, then one per step: version 2's steps, both done.
  await run.getByTestId("status").first().filter({ hasText: "succeeded" }).waitFor({ timeout: 20_000 });
  await run.getByRole("row", { name: /store sleep succeeded/ }).waitFor();
  expect(await byTestId(page, "runs-table").getByTestId("run-version").first().textContent()).toBe("v2");
});
