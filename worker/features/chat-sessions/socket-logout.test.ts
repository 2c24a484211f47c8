/**
 * A chat-session socket lives no longer than the credential that opened it: logout
 * and key revocation close it (1008) on every session it is open on, while the
 * same user's sockets from another login stay open. The owner's hub remembers
 * which sessions to ask (durable-objects/user-hub/chat-sockets.ts).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, login, type TestUser } from "../../../test/worker/support/api";
import { createAgent, createSession, sessionSocket } from "../../../test/worker/support/chat";
import type { LiveSocket } from "../../../test/worker/support/live";

async function stillOpen(socket: LiveSocket) {
  socket.send({ type: "ping" });
  await socket.nextOfType("pong");
  expect(socket.closed).toBe(false);
}

/** The sessions the owner's hub lists for a credential, read straight from its storage. */
function indexedSessions(user: TestUser, credential: { type: "session" | "api_key"; id: string }) {
  return runInDurableObject(env.USER_HUB.getByName(user.id), (_hub, state: DurableObjectState) =>
    state.storage.sql
      .exec<{ session_id: string }>(
        "SELECT session_id FROM chat_sockets WHERE cred_type = ? AND cred_id = ?",
        credential.type,
        credential.id,
      )
      .toArray()
      .map((row) => row.session_id),
  );
}

describe("chat-session sockets end with their credential", () => {
  it("logout closes that login's sockets on every session and leaves another login's open", async () => {
    const user = await createUser();
    const agent = await createAgent(user);
    const [first, second] = [await createSession(user, agent), await createSession(user, agent)];
    const other = { ...user, accessToken: (await login(user.email, user.password, user.ip)).access_token };
    const { socket: mineOnFirst } = await sessionSocket(user, first);
    const { socket: mineOnSecond } = await sessionSocket(user, second);
    const { socket: theirs } = await sessionSocket(other, first);

    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken })).status).toBe(200);
    expect(await mineOnFirst.closedByServer()).toEqual({ code: 1008, reason: "logged_out" });
    expect(await mineOnSecond.closedByServer()).toEqual({ code: 1008, reason: "logged_out" });
    await stillOpen(theirs);
    theirs.close();
  });

  it("revoking an API key closes the sockets it opened, not the user's session sockets", async () => {
    const user = await createUser();
    const sessionId = await createSession(user, await createAgent(user));
    const key = await createApiKey(user, ["agents:read"]);
    const { socket: viaKey } = await sessionSocket({ ...user, accessToken: key.secret }, sessionId);
    const { socket: viaSession } = await sessionSocket(user, sessionId);

    expect((await call(`/api/v1/keys/${key.key.id}`, { method: "DELETE", token: user.accessToken })).status).toBe(200);
    expect(await viaKey.closedByServer()).toEqual({ code: 1008, reason: "api_key_revoked" });
    await stillOpen(viaSession);
    viaSession.close();
  });

  it("the hub forgets a session once the credential's last socket there closes", async () => {
    const user = await createUser();
    const sessionId = await createSession(user, await createAgent(user));
    const key = await createApiKey(user, ["agents:read"]);
    const credential = { type: "api_key" as const, id: key.key.id };
    const keyUser = { ...user, accessToken: key.secret };
    const { socket: one } = await sessionSocket(keyUser, sessionId);
    const { socket: two } = await sessionSocket(keyUser, sessionId);
    expect(await indexedSessions(user, credential)).toEqual([sessionId]);

    one.close();
    await stillOpen(two);
    expect(await indexedSessions(user, credential)).toEqual([sessionId]);
    two.close();
    await expect.poll(() => indexedSessions(user, credential)).toEqual([]);
  });
});
