/**
 * Headless Chromium for the e2e suite: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser; see TOOLCHAIN.md).
 * `openPage` gives a test a fresh context that screenshots itself into a temp
 * folder and prints the page's console errors when the test fails.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { TestContext } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Without the networking flags Chromium keeps dialling Google services, which this closed network refuses.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

let screenshotDir: string | undefined;

/** Where failure screenshots go; one folder per run, printed with each failure. */
export function screenshotFolder(): string {
  screenshotDir ??= mkdtempSync(join(tmpdir(), "edgewise-e2e-shots-"));
  return screenshotDir;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotFolder(), `${name.replace(/[^a-z0-9-]+/gi, "-").toLowerCase()}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

async function reportFailure(page: Page, name: string, problems: string[]) {
  try {
    console.error(`Screenshot of the failure: ${await screenshot(page, name)} (page at ${page.url()})`);
  } catch (error) {
    console.error(`No screenshot: ${String(error)}`);
  }
  if (problems.length) console.error(`Browser problems:\n${problems.join("\n")}`);
}

type OpenPageOptions = { baseURL: string; test: TestContext };

/** A page in its own browser context (own storage), closed after the test. */
export async function openPage(browser: Browser, { baseURL, test }: OpenPageOptions): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  // One hook, so the screenshot is taken before the context closes (vitest does not order separate hooks for us).
  test.onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail") await reportFailure(page, task.name, problems);
    await context.close();
  });
  return page;
}
