/**
 * The console's task path in real headless Chromium against `wrangler dev`:
 * log in → Tasks → queue a task → its progress bar moves live (hub events, no
 * reload) → it succeeds at 100%; a long task is cancelled from the list.
 * Build the console first: `npm run build:web`.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createVerifiedUser, uniqueEmail } from "./console-api";
import { launchBrowser, openPage } from "./support/browser";

let browser: Browser;
const baseURL = inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function queueTask(page: Page, title: string, ms: number) {
  const form = byTestId(page, "create-task");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Duration (ms)").fill(String(ms));
  await form.getByRole("button", { name: "Queue task" }).click();
  return page.locator("tr", { hasText: title });
}

it("queues a task and shows its progress live until it succeeds; cancels another", async (test) => {
  const email = uniqueEmail("tasks");
  const password = "e2e tasks password";
  await createVerifiedUser(baseURL, email, password);
  const page = await openPage(browser, { baseURL, test });
  await page.goto("/login");
  await byTestId(page, "login-email").fill(email);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
  await page.waitForURL(/\/feed$/);
  await page.locator('[data-testid="feed-status"][data-status="connected"]').waitFor();

  await byTestId(page, "nav-tasks").click();
  await page.waitForURL(/\/tasks$/);
  const row = await queueTask(page, "Nightly report", 4_000);
  await row.waitFor();
  const bar = row.getByRole("progressbar");

  // Progress arrives over the live feed while the task runs: somewhere strictly between 0 and 100.
  await page.waitForFunction(
    (el) => {
      const value = Number(el?.getAttribute("aria-valuenow"));
      return value > 0 && value < 100;
    },
    await bar.elementHandle(),
    { timeout: 15_000 },
  );
  expect(await row.getByTestId("status").textContent()).toBe("running");

  await row.locator('[data-testid="status"]', { hasText: "succeeded" }).waitFor({ timeout: 20_000 });
  expect(await bar.getAttribute("aria-valuenow")).toBe("100");

  const long = await queueTask(page, "Long import", 60_000);
  await long.locator('[data-testid="status"]', { hasText: "running" }).waitFor({ timeout: 15_000 });
  await long.getByRole("button", { name: "Cancel" }).click();
  await long.locator('[data-testid="status"]', { hasText: "cancelled" }).waitFor();
  await long.getByRole("button", { name: "Retry" }).waitFor();
});
