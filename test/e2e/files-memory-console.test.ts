/**
 * The console's files and memory pages in headless Chromium against `wrangler
 * dev` (global-setup.ts): upload through the file picker with progress, a
 * refused upload showing the server's reason, the preview of a spreadsheet's
 * table and of an unreadable PDF's reason, delete; extraction statuses changing
 * live (from the hub, not a reload); then remember something and find it with
 * the match highlighted. Build the console first: `npm run build:web`.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createVerifiedUser, uniqueEmail } from "./console-api";
import { launchBrowser, openPage } from "./support/browser";

let browser: Browser;
const baseURL = inject("baseUrl");
const FIXTURES = new URL("../fixtures/documents/", import.meta.url).pathname;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function signIn(page: Page) {
  const email = uniqueEmail("files");
  const password = "files-e2e-password";
  await createVerifiedUser(baseURL, email, password);
  await page.goto("/login");
  await byTestId(page, "login-email").fill(email);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
  await page.waitForURL(/\/feed/);
}

it("uploads, previews, refuses and deletes files", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await signIn(page);
  await byTestId(page, "nav-files").click();
  await page.waitForURL(/\/files/);

  await byTestId(page, "file-input").setInputFiles([`${FIXTURES}sales.xlsx`, `${FIXTURES}encrypted.pdf`]);
  await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
  await byTestId(page, "file-input").setInputFiles({
    name: "tool.exe",
    mimeType: "application/octet-stream",
    buffer: Buffer.concat([Buffer.from("MZ"), Buffer.alloc(64)]),
  });
  const refused = page.locator('[data-testid="upload"][data-state="failed"]');
  await expect.poll(() => refused.textContent()).toContain("executables are not accepted");

  await page.locator('[data-testid="file-row"]', { hasText: "sales.xlsx" }).click();
  const table = byTestId(page, "extracted-table").first();
  await table.waitFor();
  expect(await table.textContent()).toContain("Widget");

  await page.locator('[data-testid="file-row"]', { hasText: "encrypted.pdf" }).click();
  await expect.poll(() => byTestId(page, "extraction-problem").textContent()).toContain("password-protected");
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await byTestId(page, "confirm-delete").click();
  await expect.poll(() => page.locator('[data-testid="file-row"]', { hasText: "encrypted.pdf" }).count()).toBe(0);
});

it("shows extraction finishing or failing live, without reloading the list", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await signIn(page);
  await byTestId(page, "nav-files").click();
  await page.waitForURL(/\/files/);
  // What each list response said about our files: the page must show more than that.
  const listed = new Map<string, string[]>();
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname !== "/api/v1/files" || response.request().method() !== "GET") return;
    const body = (await response.json().catch(() => null)) as {
      items?: Array<{ filename: string; extraction: { status: string } }>;
    } | null;
    for (const item of body?.items ?? []) {
      listed.set(item.filename, [...(listed.get(item.filename) ?? []), item.extraction.status]);
    }
  });

  await byTestId(page, "file-input").setInputFiles([
    { name: "live-notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Live\nWatched from the console.") },
    { name: "live-broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\nnot really a pdf") },
  ]);
  await expect.poll(() => page.locator('[data-testid="upload"][data-state="done"]').count()).toBe(2);
  const status = (name: string) =>
    page.locator('[data-testid="file-row"]', { hasText: name }).locator('[data-testid="extraction-status"]');
  await expect.poll(() => status("live-notes.md").textContent(), { timeout: 20_000 }).toBe("done");
  await expect.poll(() => status("live-broken.pdf").textContent(), { timeout: 20_000 }).toBe("failed");
  expect(await status("live-broken.pdf").getAttribute("title")).toBeTruthy();
  // The page reloads the list once per finished upload and never again, so whenever the last list
  // said "pending", only a hub event can have changed the row. The queue consumer waits up to a
  // second to fill a batch, so that is the usual case; on a loaded machine extraction can win the
  // race, and then the file shows the listed status, which proves nothing about liveness.
  const provedLive = ["live-notes.md", "live-broken.pdf"].filter((name) => listed.get(name)?.at(-1) === "pending");
  test.annotate(`statuses shown live for: ${provedLive.join(", ") || "none (extraction won the race)"}`);
});

it("remembers something and finds it with the match highlighted", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await signIn(page);
  await byTestId(page, "nav-memory").click();
  await page.waitForURL(/\/memory/);
  await page.getByLabel("Memory content").fill("The greenhouse sprinklers run at dawn.");
  await page.getByLabel("Tags (comma-separated)").fill("garden");
  await page.getByRole("button", { name: "Remember" }).click();
  await expect.poll(() => byTestId(page, "memory-list").textContent()).toContain("greenhouse sprinklers");

  await page.getByLabel("Search memories").fill("sprinkler greenhouse");
  await page.getByRole("button", { name: "Search" }).click();
  const hit = byTestId(page, "search-hit").first();
  await hit.waitFor();
  expect(await hit.locator("mark").allTextContents()).toEqual(["greenhouse", "sprinklers"]);
});
