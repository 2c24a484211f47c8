/**
 * Every identity flow through HTTP, inside workerd with real local D1: register →
 * verify → login, refresh rotation and reuse detection, logout, password reset,
 * access-token validation, deactivated accounts and how passwords are stored.
 */
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, login, tokenFromOutbox } from "../../../test/worker/support/api";
import { rows, run, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";

const TEST_JWT_SECRET = "test-jwt-secret";
const CHALLENGE = 'Bearer realm="edgewise"';

/** A never-used email, password and client IP, for flows that start before createUser's would. */
function identity() {
  const id = crypto.randomUUID().slice(0, 12);
  return { email: `flow-${id}@example.com`, password: `pw-${id}-long-enough`, ip: `192.0.2.${id}`, name: `Flow ${id}` };
}

async function register(who: ReturnType<typeof identity>) {
  const res = await call("/api/v1/auth/register", {
    body: { email: who.email, password: who.password, name: who.name },
    ip: who.ip,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<{ id: string; email: string; email_verified: boolean; role: string }>(res);
}

async function outboxCount(email: string, kind: "verify_email" | "reset_password") {
  const res = await call(`/api/v1/dev/outbox?to=${encodeURIComponent(email)}&kind=${kind}&limit=50`);
  return (await json<{ items: unknown[] }>(res)).items.length;
}

const me = (token: string) => call("/api/v1/me", { token });
const refresh = (refreshToken: string, ip: string) =>
  call("/api/v1/auth/refresh", { body: { refresh_token: refreshToken }, ip });

function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1]!;
  return JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/"))) as Record<string, unknown>;
}

describe("registration and verification", () => {
  it("takes a person from register to /me, refusing login until the email is verified", async () => {
    const who = identity();
    const user = await register(who);
    expect(user).toMatchObject({ email: who.email, role: "developer", email_verified: false });

    const token = await tokenFromOutbox(who.email, "verify_email");
    expect(token).toMatch(/^ewv_/);
    await expectError(
      await call("/api/v1/auth/login", { body: { email: who.email, password: who.password }, ip: who.ip }),
      403,
      "email_not_verified",
    );

    const verified = await call("/api/v1/auth/verify-email", { body: { token }, ip: who.ip });
    expect(verified.status).toBe(200);
    expect(await json(verified)).toMatchObject({ id: user.id, email_verified: true });

    const res = await call("/api/v1/auth/login", { body: { email: who.email, password: who.password }, ip: who.ip });
    expect(res.status).toBe(200);
    const session = await json<Record<string, unknown>>(res);
    expect(session).toMatchObject({ token_type: "Bearer", expires_in: 900, user: { id: user.id } });
    expect(session.refresh_token).toMatch(/^ewr_/);
    const profile = await me(String(session.access_token));
    expect(profile.status).toBe(200);
    expect(await json(profile)).toMatchObject({ id: user.id, email: who.email, email_verified: true });
  });

  it("answers a wrong password and an unknown email alike (401 invalid_credentials)", async () => {
    const user = await createUser();
    const wrong = await call("/api/v1/auth/login", {
      body: { email: user.email, password: "not-the-password" },
      ip: user.ip,
    });
    await expectError(wrong, 401, "invalid_credentials");
    const unknown = await call("/api/v1/auth/login", {
      body: { email: `nobody-${crypto.randomUUID()}@example.com`, password: user.password },
      ip: user.ip,
    });
    await expectError(unknown, 401, "invalid_credentials");
  });

  it("refuses a second account for the same email, whatever its case (409)", async () => {
    const who = identity();
    await register(who);
    const again = await call("/api/v1/auth/register", {
      body: { email: who.email.toUpperCase(), password: who.password, name: "Twin" },
      ip: who.ip,
    });
    await expectError(again, 409, "email_taken");
    expect(await rows("SELECT id FROM users WHERE email = ?", who.email)).toHaveLength(1);
  });

  it("accepts a verification token once, and never after it expires (400)", async () => {
    const first = identity();
    await register(first);
    const token = await tokenFromOutbox(first.email, "verify_email");
    expect((await call("/api/v1/auth/verify-email", { body: { token }, ip: first.ip })).status).toBe(200);
    await expectError(await call("/api/v1/auth/verify-email", { body: { token }, ip: first.ip }), 400, "invalid_token");

    const late = identity();
    const user = await register(late);
    const lateToken = await tokenFromOutbox(late.email, "verify_email");
    await run(
      "UPDATE user_tokens SET expires_at = ? WHERE user_id = ? AND kind = 'verify_email'",
      Date.now() - 1,
      user.id,
    );
    await expectError(
      await call("/api/v1/auth/verify-email", { body: { token: lateToken }, ip: late.ip }),
      400,
      "invalid_token",
    );
    await expectError(
      await call("/api/v1/auth/verify-email", { body: { token: "ewv_made-up" }, ip: late.ip }),
      400,
      "invalid_token",
    );
    const [row] = await rows<{ email_verified_at: number | null }>(
      "SELECT email_verified_at FROM users WHERE id = ?",
      user.id,
    );
    expect(row?.email_verified_at).toBeNull();
  });

  it("resends a verification link only to unverified accounts, always answering 202", async () => {
    const who = identity();
    await register(who);
    const firstToken = await tokenFromOutbox(who.email, "verify_email");
    const resend = await call("/api/v1/auth/verify-email/resend", { body: { email: who.email }, ip: who.ip });
    expect(resend.status).toBe(202);
    expect(await outboxCount(who.email, "verify_email")).toBe(2);
    const secondToken = await tokenFromOutbox(who.email, "verify_email");
    expect(secondToken).not.toBe(firstToken);
    expect((await call("/api/v1/auth/verify-email", { body: { token: secondToken }, ip: who.ip })).status).toBe(200);

    const verifiedAgain = await call("/api/v1/auth/verify-email/resend", { body: { email: who.email }, ip: who.ip });
    expect(verifiedAgain.status).toBe(202);
    expect(await outboxCount(who.email, "verify_email")).toBe(2);

    const stranger = `stranger-${crypto.randomUUID()}@example.com`;
    const unknown = await call("/api/v1/auth/verify-email/resend", { body: { email: stranger }, ip: who.ip });
    expect(unknown.status).toBe(202);
    expect(await json(unknown)).toEqual(await json(verifiedAgain));
    expect(await outboxCount(stranger, "verify_email")).toBe(0);
  });
});

describe("sessions: refresh, reuse detection, logout", () => {
  it("rotates the refresh token; the previous access token keeps working until logout", async () => {
    const user = await createUser();
    const res = await refresh(user.refreshToken, user.ip);
    expect(res.status).toBe(200);
    const next = await json<{ access_token: string; refresh_token: string; session_id: string }>(res);
    expect(next.refresh_token).toMatch(/^ewr_/);
    expect(next.refresh_token).not.toBe(user.refreshToken);
    expect(next.access_token).not.toBe(user.accessToken);
    expect(next.session_id).toBe(user.sessionId);
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await me(next.access_token)).status).toBe(200);

    expect((await call("/api/v1/auth/logout", { method: "POST", token: next.access_token })).status).toBe(200);
    await expectError(await me(user.accessToken), 401, "token_revoked");
    await expectError(await me(next.access_token), 401, "token_revoked");
  });

  it("treats a spent refresh token as stolen: 401 refresh_token_reused and the whole session ends", async () => {
    const user = await createUser();
    const other = await login(user.email, user.password, user.ip);
    const rotated = await json<{ access_token: string; refresh_token: string }>(
      await refresh(user.refreshToken, user.ip),
    );

    await expectError(await refresh(user.refreshToken, user.ip), 401, "refresh_token_reused");
    await expectError(await refresh(rotated.refresh_token, user.ip), 401, "invalid_refresh_token");
    await expectError(await me(user.accessToken), 401, "token_revoked");
    await expectError(await me(rotated.access_token), 401, "token_revoked");

    const audit = await rows<{ actor_type: string; resource_id: string }>(
      "SELECT actor_type, resource_id FROM audit_logs WHERE user_id = ? AND action = 'auth.refresh_token_reused'",
      user.id,
    );
    expect(audit).toEqual([{ actor_type: "system", resource_id: user.sessionId }]);

    // Only that session ends: the user's other session still works and sees the audit row.
    const own = await call("/api/v1/audit?action=auth.refresh_token_reused", { token: other.access_token });
    expect(own.status).toBe(200);
    expect((await json<{ items: unknown[] }>(own)).items).toHaveLength(1);
    expect((await refresh(other.refresh_token, user.ip)).status).toBe(200);
  });

  it("logout denies the session's access token before it expires and kills its refresh token", async () => {
    const user = await createUser();
    const other = await login(user.email, user.password, user.ip);
    expect(Number(claimsOf(user.accessToken).exp) * 1000).toBeGreaterThan(Date.now() + 60_000);

    const res = await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: "accepted" });

    const denied = await expectError(await me(user.accessToken), 401, "token_revoked");
    expect(denied.error.message).toBeTruthy();
    await expectError(await refresh(user.refreshToken, user.ip), 401, "invalid_refresh_token");
    await expectError(await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken }), 401);
    expect((await me(other.access_token)).status).toBe(200);
  });

  it("refuses logout with an API key (400 not_a_session), over either header", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["account:read"]);
    await expectError(await call("/api/v1/auth/logout", { method: "POST", apiKey: key.secret }), 400, "not_a_session");
    const bearer = await call("/api/v1/auth/logout", {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}` },
    });
    await expectError(bearer, 400, "not_a_session");
    expect((await call("/api/v1/me", { apiKey: key.secret })).status).toBe(200);
  });
});

describe("password reset", () => {
  it("sets a new password with the emailed token and ends every earlier session", async () => {
    const user = await createUser();
    const second = await login(user.email, user.password, user.ip);
    const asked = await call("/api/v1/auth/password-reset/request", { body: { email: user.email }, ip: user.ip });
    expect(asked.status).toBe(202);
    const token = await tokenFromOutbox(user.email, "reset_password");
    expect(token).toMatch(/^ewp_/);

    // A refused new password leaves the token usable.
    const short = await call("/api/v1/auth/password-reset/confirm", {
      body: { token, password: "short" },
      ip: user.ip,
    });
    await expectError(short, 400, "validation_failed");
    const newPassword = `new-${user.password}`;
    const confirmed = await call("/api/v1/auth/password-reset/confirm", {
      body: { token, password: newPassword },
      ip: user.ip,
    });
    expect(confirmed.status).toBe(200);

    await expectError(
      await call("/api/v1/auth/login", { body: { email: user.email, password: user.password }, ip: user.ip }),
      401,
      "invalid_credentials",
    );
    expect((await login(user.email, newPassword, user.ip)).user.id).toBe(user.id);
    for (const session of [
      { access: user.accessToken, refresh: user.refreshToken },
      { access: second.access_token, refresh: second.refresh_token },
    ]) {
      await expectError(await me(session.access), 401, "token_revoked");
      await expectError(await refresh(session.refresh, user.ip), 401, "invalid_refresh_token");
    }
    const reused = await call("/api/v1/auth/password-reset/confirm", {
      body: { token, password: `again-${newPassword}` },
      ip: user.ip,
    });
    await expectError(reused, 400, "invalid_token");
  });

  it("answers 202 for an unknown email and sends nothing", async () => {
    const stranger = `nobody-${crypto.randomUUID()}@example.com`;
    const res = await call("/api/v1/auth/password-reset/request", { body: { email: stranger }, ip: identity().ip });
    expect(res.status).toBe(202);
    expect(await outboxCount(stranger, "reset_password")).toBe(0);
  });

  it("refuses an expired reset token (400) and keeps the old password", async () => {
    const user = await createUser();
    await call("/api/v1/auth/password-reset/request", { body: { email: user.email }, ip: user.ip });
    const token = await tokenFromOutbox(user.email, "reset_password");
    await run(
      "UPDATE user_tokens SET expires_at = ? WHERE user_id = ? AND kind = 'reset_password'",
      Date.now() - 1,
      user.id,
    );
    const res = await call("/api/v1/auth/password-reset/confirm", {
      body: { token, password: "a-brand-new-password" },
      ip: user.ip,
    });
    await expectError(res, 400, "invalid_token");
    expect((await login(user.email, user.password, user.ip)).user.id).toBe(user.id);
  });

  it("counts a reset as proof of the address: an unverified account can log in afterwards", async () => {
    const who = identity();
    await register(who);
    await call("/api/v1/auth/password-reset/request", { body: { email: who.email }, ip: who.ip });
    const token = await tokenFromOutbox(who.email, "reset_password");
    const password = `reset-${who.password}`;
    expect((await call("/api/v1/auth/password-reset/confirm", { body: { token, password }, ip: who.ip })).status).toBe(
      200,
    );
    expect((await login(who.email, password, who.ip)).user).toMatchObject({ email_verified: true });
  });
});

describe("access tokens", () => {
  async function forged(claims: Record<string, unknown>, secret = TEST_JWT_SECRET) {
    return sign(claims, secret, "HS256");
  }

  it("accepts a token signed with the secret and refuses expired, tampered and foreign ones with a challenge", async () => {
    const user = await createUser();
    const claims = claimsOf(user.accessToken);
    const now = Math.floor(Date.now() / 1000);

    // Control: a token we sign ourselves, unexpired, is accepted, so the refusals below are about the defect.
    expect((await me(await forged({ ...claims, jti: crypto.randomUUID() }))).status).toBe(200);

    const [header, payload, signature] = user.accessToken.split(".") as [string, string, string];
    const flipped = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    const escalated = btoa(JSON.stringify({ ...claims, role: "admin" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    const unsigned = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${payload}.`;
    const bad: Record<string, string> = {
      expired: await forged({ ...claims, iat: now - 3600, exp: now - 60 }),
      "tampered signature": `${header}.${payload}.${flipped}`,
      "tampered payload": `${header}.${escalated}.${signature}`,
      "another secret": await forged(claims, "not-the-secret"),
      "alg none": unsigned,
      "not an access token": await forged({ ...claims, typ: "refresh" }),
      garbage: "eyJhbGciOiJIUzI1NiJ9.garbage.garbage",
    };
    for (const [name, token] of Object.entries(bad)) {
      const res = await me(token);
      expect(res.headers.get("www-authenticate"), name).toBe(CHALLENGE);
      const body = await expectError(res, 401, "invalid_token");
      expect(JSON.stringify(body), name).not.toContain(user.email);
    }

    const none = await call("/api/v1/me");
    expect(none.headers.get("www-authenticate")).toBe(CHALLENGE);
    await expectError(none, 401, "missing_credentials");
  });
});

describe("deactivated accounts", () => {
  it("refuses login, existing access tokens and API keys with 403 account_disabled", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["account:read"]);
    await run("UPDATE users SET is_active = 0 WHERE id = ?", user.id);

    await expectError(
      await call("/api/v1/auth/login", { body: { email: user.email, password: user.password }, ip: user.ip }),
      403,
      "account_disabled",
    );
    await expectError(await me(user.accessToken), 403, "account_disabled");
    await expectError(await call("/api/v1/me", { apiKey: key.secret }), 403, "account_disabled");
    await expectError(await refresh(user.refreshToken, user.ip), 403, "account_disabled");
    // Nothing is mailed to a disabled account.
    await call("/api/v1/auth/password-reset/request", { body: { email: user.email }, ip: user.ip });
    expect(await outboxCount(user.email, "reset_password")).toBe(0);
  });
});

describe("password storage", () => {
  it("stores PBKDF2-SHA256 hashes with a per-user salt, never the password", async () => {
    const first = identity();
    const second = { ...identity(), password: first.password };
    await register(first);
    await register(second);
    const stored = await rows<{ email: string; password_hash: string }>(
      "SELECT email, password_hash FROM users WHERE email IN (?, ?)",
      first.email,
      second.email,
    );
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row.password_hash).toMatch(/^pbkdf2-sha256\$1000\$[\w-]{22}\$[\w-]{43}$/);
    }
    expect(stored[0]!.password_hash).not.toBe(stored[1]!.password_hash);
    expect(JSON.stringify(await snapshot())).not.toContain(first.password);
  });
});
