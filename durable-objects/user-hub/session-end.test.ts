/**
 * A live socket lives no longer than the credential that opened it: logout, a
 * revoked session or key, a password reset and deactivation close it (1008), and
 * a ticket minted before the credential ended cannot open one afterwards.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, login, tokenFromOutbox } from "../../test/worker/support/api";
import { connect, LiveSocket, publishMessage, ticketFor, upgrade } from "../../test/worker/support/live";

describe("live sockets end with their credential", () => {
  it("logout closes that session's sockets and leaves the user's other sessions connected", async () => {
    const user = await createUser();
    const other = await login(user.email, user.password, user.ip);
    const { socket: mine } = await connect(user);
    const { socket: theirs } = await connect({ ...user, accessToken: other.access_token });

    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken })).status).toBe(200);
    expect(await mine.closedByServer()).toEqual({ code: 1008, reason: "logged_out" });

    await publishMessage({ ...user, accessToken: other.access_token }, "still here");
    const event = await theirs.nextEvent("user.message");
    expect(event.data).toEqual({ text: "still here" });
    expect(mine.events().some((e) => e.type === "user.message")).toBe(false);
    theirs.close();
  });

  it("a ticket issued before logout cannot open a socket after it", async () => {
    const user = await createUser();
    const ticket = await ticketFor(user);
    await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    const res = await upgrade({ ticket });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: { code: "credential_revoked" } });
  });

  it("revoking an API key closes the sockets it opened", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["events:read"]);
    const res = await upgrade({ token: key.secret });
    expect(res.status).toBe(101);
    const viaKey = new LiveSocket(res.webSocket!);
    await viaKey.nextOfType("welcome");
    const { socket: viaSession } = await connect(user);

    expect((await call(`/api/v1/keys/${key.key.id}`, { method: "DELETE", token: user.accessToken })).status).toBe(200);
    expect(await viaKey.closedByServer()).toEqual({ code: 1008, reason: "api_key_revoked" });
    await viaSession.sync();
    expect(viaSession.closed).toBe(false);
    viaSession.close();
  });

  it("reusing a refresh token closes the session's sockets", async () => {
    const user = await createUser();
    const { socket } = await connect(user);
    const first = await call("/api/v1/auth/refresh", { body: { refresh_token: user.refreshToken }, ip: user.ip });
    expect(first.status).toBe(200);
    const reuse = await call("/api/v1/auth/refresh", { body: { refresh_token: user.refreshToken }, ip: user.ip });
    expect(reuse.status).toBe(401);
    expect(await socket.closedByServer()).toEqual({ code: 1008, reason: "session_revoked" });
  });

  it("a password reset closes every socket of the account", async () => {
    const user = await createUser();
    const { socket } = await connect(user);
    await call("/api/v1/auth/password-reset/request", { body: { email: user.email }, ip: user.ip });
    const token = await tokenFromOutbox(user.email, "reset_password");
    const reset = await call("/api/v1/auth/password-reset/confirm", {
      body: { token, password: "a brand new password" },
      ip: user.ip,
    });
    expect(reset.status).toBe(200);
    expect(await socket.closedByServer()).toEqual({ code: 1008, reason: "password_reset" });
  });

  it("deactivation by an admin closes every socket of the account", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    const { socket } = await connect(user);
    const res = await call(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      body: { is_active: false },
    });
    expect(res.status).toBe(200);
    expect(await socket.closedByServer()).toEqual({ code: 1008, reason: "account_disabled" });
    const open = await env.USER_HUB.getByName(user.id).stats();
    expect(open.connections).toBe(0);
  });
});
