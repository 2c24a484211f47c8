import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json } from "./support/api";

describe("smoke", () => {
  it("answers /health", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("takes a user from registration to an API key", async () => {
    const user = await createUser();
    const me = await call("/api/v1/me", { token: user.accessToken });
    expect(me.status).toBe(200);
    expect((await json(me)).email).toBe(user.email);
    const key = await createApiKey(user, ["account:read"]);
    const viaKey = await call("/api/v1/me", { apiKey: key.secret });
    expect(viaKey.status).toBe(200);
    expect((await json<{ scopes: string[] }>(viaKey)).scopes).toEqual(["account:read"]);
  });
});
