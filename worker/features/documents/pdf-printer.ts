/**
 * HTML → PDF with Browser Rendering (@cloudflare/puppeteer over the BROWSER
 * binding; locally miniflare runs Chromium). The page is the user's content, so
 * it gets no JavaScript and no network: every request but inline `data:` URLs
 * is aborted, which keeps a document from reaching internal addresses.
 */
import type puppeteer from "@cloudflare/puppeteer";
import { AppError } from "../../errors";

const RENDER_TIMEOUT_MS = 30_000;

export async function printPdf(env: Env, html: string): Promise<Uint8Array> {
  let browser: Awaited<ReturnType<typeof puppeteer.launch>>;
  try {
    // Loaded on first use: the CDP client is about 115 modules only conversions need.
    const { default: browserRendering } = await import("@cloudflare/puppeteer");
    browser = await browserRendering.launch(env.BROWSER);
  } catch (error) {
    throw new AppError(503, "browser_unavailable", "The PDF renderer is not available right now; try again shortly", {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  try {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url().startsWith("data:")) void request.continue();
      else void request.abort();
    });
    await page.setContent(html, { waitUntil: "load", timeout: RENDER_TIMEOUT_MS });
    const pdf = await page.pdf({ format: "A4", printBackground: true, timeout: RENDER_TIMEOUT_MS });
    page.removeAllListeners("request");
    await page.close();
    return new Uint8Array(pdf);
  } finally {
    await browser.close();
  }
}
