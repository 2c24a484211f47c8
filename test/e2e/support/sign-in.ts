/**
 * A new verified account, signed in through the login page and connected to its
 * live feed, for the automation e2e files; also returns its API token so a test
 * can set things up ("from outside the page") with console-api.ts.
 */
import type { Page } from "playwright-core";
import { createVerifiedUser, uniqueEmail } from "../console-api";

export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

export async function signInNewUser(page: Page, baseUrl: string, label: string): Promise<{ token: string }> {
  const email = uniqueEmail(label);
  const password = `e2e ${label} password`;
  const token = await createVerifiedUser(baseUrl, email, password);
  await page.goto("/login");
  await byTestId(page, "login-email").fill(email);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
  await page.waitForURL(/\/feed$/);
  await page.locator('[data-testid="feed-status"][data-status="connected"]').waitFor();
  return { token };
}
