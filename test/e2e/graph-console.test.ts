/**
 * The console's graph page in headless Chromium against `wrangler dev`: the entity
 * list and an entity's detail, a change made elsewhere appearing live, and a
 * conflict shown with both sides and resolved from the page.
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

async function post(path: string, token: string, body: unknown) {
  const res = await fetch(`${baseURL}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; version: string } & Record<string, unknown>;
}

const edit = (device: string, note: { id: unknown; version: unknown }, body: string) => ({
  protocol_versions: [1],
  device_id: device,
  clock: {},
  cursor: 0,
  changes: [
    {
      op: "upsert",
      client_change_id: `${device}-1`,
      counter: 1,
      hlc: `${String(Date.now()).padStart(15, "0")}:000000:${device}`,
      entity_id: note.id,
      entity_type: "note",
      version: `${device}-${note.id}`,
      parents: [note.version],
      content: { name: "Alarm code", body },
    },
  ],
});

it("lists the graph, shows an entity, updates live and resolves a conflict", async (test) => {
  const email = uniqueEmail("graph");
  const password = "graph-console-pass";
  const token = await createVerifiedUser(baseURL, email, password);
  const kitchen = await post("/graph/entities", token, { type: "room", content: { name: "Kitchen", floor: 0 } });
  const kettle = await post("/graph/entities", token, { type: "device", content: { name: "Kettle" } });
  await post("/graph/relationships", token, { from_id: kettle.id, to_id: kitchen.id, type: "located_in" });

  const page = await openPage(browser, { baseURL, test });
  await page.goto(`/login?email=${encodeURIComponent(email)}`);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
  await page.waitForURL(/\/feed/);
  await byTestId(page, "nav-graph").click();
  await byTestId(page, "graph-entities").filter({ hasText: "Kitchen" }).waitFor();
  await byTestId(page, "graph-live").filter({ hasText: "live" }).waitFor();

  await page.getByRole("button", { name: /Kitchen/ }).click();
  await byTestId(page, "graph-entity").filter({ hasText: "floor" }).waitFor();
  await page.getByRole("button", { name: "Open Kettle" }).waitFor();

  await post("/graph/entities", token, { type: "zone", content: { name: "Garden shed" } });
  await byTestId(page, "graph-entities").filter({ hasText: "Garden shed" }).waitFor();

  const note = await post("/graph/entities", token, { type: "note", content: { name: "Alarm code", body: "1234" } });
  await post("/graph/sync/push", token, edit("phone", note, "from the phone"));
  await post("/graph/sync/push", token, edit("tablet", note, "from the tablet"));
  const conflicts = byTestId(page, "graph-conflicts");
  await conflicts.filter({ hasText: "from the tablet" }).waitFor();
  await expect(conflicts.textContent()).resolves.toContain("from the phone");
  await page.getByRole("button", { name: "Keep incoming" }).click();
  await conflicts.waitFor({ state: "detached" });
});
