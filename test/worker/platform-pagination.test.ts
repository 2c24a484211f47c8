/**
 * Cursor pagination (`limit`, `cursor` → `{items, next_cursor}`) on /api/v1/keys and
 * /api/v1/audit: complete walks without duplicates or gaps, stability while rows
 * are added, ties on created_at, and the refusals for bad cursors and limits.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toBase64Url, utf8 } from "../../worker/lib/encoding";
import { call, createApiKey, createUser, json, type TestUser } from "./support/api";

type Item = { id: string; created_at: string };
type Page = { items: Item[]; next_cursor: string | null };

async function page(user: TestUser, path: string, query: Record<string, string>): Promise<Page> {
  const res = await call(`${path}?${new URLSearchParams(query)}`, { token: user.accessToken });
  expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(200);
  return json<Page>(res);
}

/** Follows next_cursor to the end; `between` runs after each page (to add rows mid-walk). */
async function walk(user: TestUser, path: string, limit: number, between?: (pageNo: number) => Promise<void>) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let pageNo = 0; pageNo < 100; pageNo++) {
    const query: Record<string, string> = { limit: String(limit) };
    if (cursor) query.cursor = cursor;
    const current = await page(user, path, query);
    ids.push(...current.items.map((item) => item.id));
    sizes.push(current.items.length);
    cursor = current.next_cursor;
    if (!cursor) return { ids, sizes };
    await between?.(pageNo);
  }
  throw new Error("pagination never ended");
}

/** Newest first on (created_at, id): the order the cursor is built on. */
function expectNewestFirst(items: Item[]) {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1]!, items[i]!];
    const order = Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id > b.id ? 1 : -1);
    expect(order, `${a.id} before ${b.id}`).toBeGreaterThan(0);
  }
}

/** Keys sharing one created_at, written straight to D1, so the id alone orders them. */
async function insertKeysAt(user: TestUser, createdAt: number, count: number) {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await env.DB.batch(
    ids.map((id) =>
      env.DB.prepare(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).bind(id, user.id, `tied ${id}`, "ewk_tied", `hash-${id}`, '["account:read"]', createdAt),
    ),
  );
  return ids;
}

const errorCode = async (res: Response) => (await json<{ error: { code: string } }>(res)).error.code;

describe("GET /api/v1/keys pages", () => {
  it("walks every key exactly once, newest first, ending with next_cursor null", async () => {
    const user = await createUser();
    for (let i = 0; i < 6; i++) await createApiKey(user, ["account:read"]);
    const tied = await insertKeysAt(user, Date.now() - 60_000, 5);

    const all = await page(user, "/api/v1/keys", { limit: "100" });
    expect(all.items).toHaveLength(11);
    expect(all.next_cursor).toBeNull();
    expectNewestFirst(all.items);
    expect(all.items.slice(-5).map((item) => item.id)).toEqual([...tied].sort().reverse());

    for (const limit of [1, 2, 3, 4, 11]) {
      const { ids, sizes } = await walk(user, "/api/v1/keys", limit);
      expect(ids, `limit ${limit}`).toEqual(all.items.map((item) => item.id));
      expect(sizes.slice(0, -1).every((size) => size === limit)).toBe(true);
    }
    // An exact multiple of the limit ends without an empty trailing page.
    expect((await walk(user, "/api/v1/keys", 11)).sizes).toEqual([11]);
  });

  it("stays stable when keys are created mid-walk", async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) await createApiKey(user, ["account:read"]);
    const before = (await page(user, "/api/v1/keys", { limit: "100" })).items.map((item) => item.id);

    const added: string[] = [];
    const { ids } = await walk(user, "/api/v1/keys", 2, async () => {
      added.push((await createApiKey(user, ["account:read"])).key.id);
    });
    expect(ids).toEqual(before);
    expect(added.length).toBeGreaterThan(0);
    const now = (await page(user, "/api/v1/keys", { limit: "100" })).items.map((item) => item.id);
    expect(now).toEqual([...added.reverse(), ...before]);
  });

  it("never crosses users: another user's cursor only pages through your own keys", async () => {
    const alice = await createUser();
    const bob = await createUser();
    for (let i = 0; i < 3; i++) await createApiKey(alice, ["account:read"]);
    const bobs = [(await createApiKey(bob, ["account:read"])).key.id];
    const alicePage = await page(alice, "/api/v1/keys", { limit: "1" });
    const res = await page(bob, "/api/v1/keys", { limit: "100", cursor: alicePage.next_cursor! });
    for (const item of res.items) expect(bobs).toContain(item.id);
  });
});

describe("GET /api/v1/audit pages", () => {
  it("walks the log exactly once and stays stable while entries are added", async () => {
    const user = await createUser();
    for (let i = 0; i < 4; i++) await createApiKey(user, ["account:read"]);
    const all = await page(user, "/api/v1/audit", { limit: "100" });
    expect(all.items.length).toBeGreaterThanOrEqual(6);
    expectNewestFirst(all.items);
    const expected = all.items.map((item) => item.id);

    for (const limit of [1, 3]) expect((await walk(user, "/api/v1/audit", limit)).ids).toEqual(expected);

    const { ids } = await walk(user, "/api/v1/audit", 2, async () => {
      await createApiKey(user, ["account:read"]);
    });
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("bad page parameters", () => {
  const encoded = (value: unknown) => toBase64Url(utf8.encode(JSON.stringify(value)));

  it("refuses cursors the API did not issue with 400 invalid_cursor", async () => {
    const user = await createUser();
    const cursors = [
      "garbage",
      "!!!",
      encoded({ createdAt: 1, id: "x" }),
      encoded([1]),
      encoded(["x", 1]),
      encoded([1, "x", "extra"]),
      encoded(null),
      toBase64Url(utf8.encode("[1,")),
    ];
    for (const path of ["/api/v1/keys", "/api/v1/audit"]) {
      for (const cursor of cursors) {
        const res = await call(`${path}?cursor=${encodeURIComponent(cursor)}`, { token: user.accessToken });
        expect(res.status, `${path} ${cursor}`).toBe(400);
        expect(await errorCode(res)).toBe("invalid_cursor");
      }
      const tooLong = await call(`${path}?cursor=${"a".repeat(257)}`, { token: user.accessToken });
      expect(tooLong.status).toBe(400);
      expect(await errorCode(tooLong)).toBe("validation_failed");
    }
  });

  it("keeps limit within 1–100", async () => {
    const user = await createUser();
    for (const path of ["/api/v1/keys", "/api/v1/audit"]) {
      for (const limit of ["0", "101", "-1", "abc", "1.5", ""]) {
        const res = await call(`${path}?limit=${limit}`, { token: user.accessToken });
        expect(res.status, `${path} limit=${limit}`).toBe(400);
        expect(await errorCode(res)).toBe("validation_failed");
      }
      for (const limit of ["1", "100"])
        expect((await call(`${path}?limit=${limit}`, { token: user.accessToken })).status).toBe(200);
    }
  });
});
