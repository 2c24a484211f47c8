/**
 * An ended session stays ended: a revocation that lands between spending a refresh
 * token and issuing the next one wins (the race driven step by step through the
 * service functions), and housekeeping never prunes a revocation while a token of
 * the family could still be valid.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser, tokenFromOutbox } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { getDb } from "../../db/client";
import { runHousekeeping } from "../housekeeping/cleanup";
import { accessTokenTtlSeconds } from "./access-tokens";
import { continueSession, spendRefreshToken } from "./refresh-families";

const meta = { ip: "203.0.113.9", userAgent: "attacker", requestId: "race-test" };
const refresh = (refreshToken: string, ip: string) =>
  call("/api/v1/auth/refresh", { body: { refresh_token: refreshToken }, ip });

async function liveTokens(familyId: string) {
  const [row] = await rows<{ n: number }>(
    "SELECT COUNT(*) AS n FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NULL AND used_at IS NULL",
    familyId,
  );
  return row?.n;
}

async function resetPassword(user: TestUser) {
  const asked = await call("/api/v1/auth/password-reset/request", { body: { email: user.email }, ip: user.ip });
  expect(asked.status).toBe(202);
  const token = await tokenFromOutbox(user.email, "reset_password");
  const confirmed = await call("/api/v1/auth/password-reset/confirm", {
    body: { token, password: `new-${user.password}` },
    ip: user.ip,
  });
  expect(confirmed.status).toBe(200);
}

describe("a session revoked during a refresh", () => {
  it("issues no next token when logout lands between the spend and the insert (401)", async () => {
    const user = await createUser();
    const db = getDb(env);
    const spent = await spendRefreshToken(db, user.refreshToken);
    expect(spent).toMatchObject({ kind: "rotated", familyId: user.sessionId });

    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken })).status).toBe(200);

    await expect(
      continueSession(env, db, { id: user.id, role: "developer" }, spent.familyId, meta),
    ).rejects.toMatchObject({ status: 401, code: "invalid_refresh_token" });
    expect(await liveTokens(user.sessionId)).toBe(0);
  });

  it("issues no next token when a password reset lands between the spend and the insert", async () => {
    const user = await createUser();
    const db = getDb(env);
    const spent = await spendRefreshToken(db, user.refreshToken);
    await resetPassword(user);

    await expect(
      continueSession(env, db, { id: user.id, role: "developer" }, spent.familyId, meta),
    ).rejects.toMatchObject({ status: 401 });
    expect(await liveTokens(user.sessionId)).toBe(0);
  });
});

describe("revocation after housekeeping", () => {
  it("still refuses the session's tokens once housekeeping has run past the access-token lifetime", async () => {
    const user = await createUser();
    const rotated = await json<{ access_token: string; refresh_token: string }>(
      await refresh(user.refreshToken, user.ip),
    );
    await resetPassword(user);

    const later = Date.now() + (accessTokenTtlSeconds(env) + 60) * 1000;
    await runHousekeeping(env, later);

    const kept = await rows("SELECT family_id FROM revoked_sessions WHERE family_id = ?", user.sessionId);
    expect(kept).toHaveLength(1);
    await expectError(await call("/api/v1/me", { token: rotated.access_token }), 401, "token_revoked");
    for (const stolen of [user.refreshToken, rotated.refresh_token]) {
      const res = await refresh(stolen, user.ip);
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain("access_token");
    }
    expect(await liveTokens(user.sessionId)).toBe(0);
  });

  it("forgets a revocation only once every refresh token of its family has expired", async () => {
    const user = await createUser();
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken })).status).toBe(200);
    const [token] = await rows<{ expires_at: number }>(
      "SELECT MAX(expires_at) AS expires_at FROM refresh_tokens WHERE family_id = ?",
      user.sessionId,
    );
    const [denied] = await rows<{ expires_at: number }>(
      "SELECT expires_at FROM revoked_sessions WHERE family_id = ?",
      user.sessionId,
    );
    expect(denied!.expires_at).toBeGreaterThanOrEqual(token!.expires_at);

    await runHousekeeping(env, token!.expires_at - 1);
    expect(await rows("SELECT 1 FROM revoked_sessions WHERE family_id = ?", user.sessionId)).toHaveLength(1);
    await runHousekeeping(env, denied!.expires_at + 1);
    expect(await rows("SELECT 1 FROM revoked_sessions WHERE family_id = ?", user.sessionId)).toHaveLength(0);
  });
});
