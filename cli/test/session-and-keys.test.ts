/**
 * The `edgewise` CLI against the real app (wrangler dev from test/e2e/global-setup.ts):
 * login → whoami → API keys (create, list, use, revoke) → transparent token
 * refresh → logout, plus the failures a user meets (wrong password, dead session).
 */
import { statSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CliUser, ensureBuilt, removeScratchDirs } from "./support/cli";

const DEMO = { email: "demo@edgewise.dev", password: "edgewise-demo-pass" };

beforeAll(() => ensureBuilt());
afterAll(() => removeScratchDirs());

/** A port that was just free, so nothing answers there. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("a developer's session", () => {
  const cli = new CliUser(inject("baseUrl"));
  const keyName = `cli-e2e-${Date.now()}`;
  let secret = "";
  let keyId = "";

  it("logs in with --password-stdin and saves the session privately", async () => {
    const result = await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: `${DEMO.password}\n` });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${cli.baseUrl} as ${DEMO.email} (developer)`);
    expect(statSync(cli.configPath).mode & 0o777).toBe(0o600);
    const saved = cli.session();
    expect(saved.user.email).toBe(DEMO.email);
    expect(saved.refresh_token).toMatch(/^ewr_/);
    expect(JSON.stringify(cli.config())).not.toContain(DEMO.password);
  });

  it("whoami shows the account, as text and as JSON", async () => {
    const text = await cli.run(["whoami"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(DEMO.email);
    expect(text.stdout).toMatch(/role\s+developer/);
    const json = JSON.parse((await cli.run(["whoami", "--json"])).stdout);
    expect(json).toMatchObject({ email: DEMO.email, role: "developer", credential: "session", server: cli.baseUrl });
    expect(json.scopes).toContain("keys:write");
  });

  it("keys create prints the secret once, alone on stdout, with a warning", async () => {
    const result = await cli.run([
      "keys",
      "create",
      "--name",
      keyName,
      "--scope",
      "account:read",
      "--scope",
      "keys:read",
    ]);
    expect(result.code).toBe(0);
    secret = result.stdout.trim();
    expect(secret).toMatch(/^ewk_[A-Za-z0-9_-]{20,}$/);
    expect(result.stdout).toBe(`${secret}\n`);
    expect(`${result.stdout}${result.stderr}`.split(secret)).toHaveLength(2);
    expect(result.stderr).toMatch(/only time the secret is shown/);
    expect(result.stderr).toContain(keyName);
  });

  it("keys ls shows the new key by its prefix", async () => {
    const table = await cli.run(["keys", "ls"]);
    expect(table.code).toBe(0);
    const row = table.stdout.split("\n").find((line) => line.includes(keyName));
    expect(row).toContain(secret.slice(0, 12));
    expect(row).toContain("account:read,keys:read");
    expect(row).toMatch(/active$/);
    expect(table.stdout).not.toContain(secret);
    const keys = JSON.parse((await cli.run(["keys", "ls", "--json"])).stdout) as { id: string; name: string }[];
    keyId = keys.find((key) => key.name === keyName)?.id ?? "";
    expect(keyId).not.toBe("");
  });

  it("the key works with --api-key and EDGEWISE_API_KEY, limited to its scopes", async () => {
    const flag = await cli.run(["whoami", "--api-key", secret]);
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain(DEMO.email);
    expect(flag.stdout).toContain(`API key ${secret.slice(0, 12)}`);
    const env = await cli.run(["whoami", "--json"], { env: { EDGEWISE_API_KEY: secret } });
    expect(JSON.parse(env.stdout)).toMatchObject({ credential: "api_key", scopes: ["account:read", "keys:read"] });
    const denied = await cli.run(["keys", "create", "--name", "nope", "--scope", "account:read", "--api-key", secret]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("(insufficient_scope)");
    expect(denied.stderr).toContain("missing: keys:write");
  });

  it("keys revoke stops the key at once", async () => {
    const revoked = await cli.run(["keys", "revoke", keyId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key "${keyName}"`);
    const refused = await cli.run(["whoami", "--api-key", secret]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe("error: The API key was revoked (api_key_revoked)\n");
    expect((await cli.run(["keys", "ls"])).stdout).not.toContain(keyName);
    expect((await cli.run(["keys", "ls", "--all"])).stdout).toMatch(new RegExp(`${keyName}.*revoked`));
    const again = await cli.run(["keys", "revoke", keyId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("(already_revoked)");
  });

  it("refreshes a bad access token transparently and saves the rotated refresh token", async () => {
    const before = cli.session();
    cli.editSession((session) => ({ ...session, access_token: "garbage" }));
    const result = await cli.run(["whoami"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(DEMO.email);
    const after = cli.session();
    expect(after.access_token).not.toBe("garbage");
    expect(after.refresh_token).toMatch(/^ewr_/);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.session_id).toBe(before.session_id);
  });

  it("several commands refreshing at once spend the refresh token only once", async () => {
    cli.editSession((session) => ({ ...session, access_token: "garbage" }));
    const results = await Promise.all([1, 2, 3].map(() => cli.run(["whoami", "--json"])));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    // Had two of them spent the same token, the server would have ended the session.
    expect((await cli.run(["keys", "ls"])).code).toBe(0);
  });

  it("logout ends the session on the server, and whoami then needs a login (exit 2)", async () => {
    const stale = cli.session();
    const result = await cli.run(["logout"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged out of ${cli.baseUrl}`);
    expect(cli.config().servers[cli.baseUrl]).toBeUndefined();
    const whoami = await cli.run(["whoami"]);
    expect(whoami.code).toBe(2);
    expect(whoami.stderr).toContain(`error: not logged in to ${cli.baseUrl} (not_logged_in)`);
    // The old access token is refused by the server too, not merely forgotten here.
    const response = await fetch(`${cli.baseUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${stale.access_token}` },
    });
    expect(response.status).toBe(401);
  });
});

describe("failures a user meets", () => {
  it("a wrong password is a clear error and saves nothing", async () => {
    const cli = new CliUser(inject("baseUrl"));
    const result = await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: "not-the-password" });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("error: Email or password is wrong (invalid_credentials)\n");
    expect(() => cli.config()).toThrow();
  });

  it("a reused refresh token ends the session and says to log in again", async () => {
    const cli = new CliUser(inject("baseUrl"));
    await cli.run(["login", "--email", DEMO.email, "--password-stdin"], { input: DEMO.password });
    const original = cli.session();
    cli.editSession((session) => ({ ...session, access_token: "garbage" }));
    expect((await cli.run(["whoami"])).code).toBe(0);
    // Put the spent refresh token back, as a stolen copy of the old config would have it.
    cli.editSession(() => ({ ...original, access_token: "garbage" }));
    const result = await cli.run(["whoami"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("(refresh_token_reused)");
    expect(result.stderr).toContain("edgewise login");
    expect(cli.config().servers[cli.baseUrl]).toBeUndefined();
  });

  it("login without a terminal needs --email and --password-stdin", async () => {
    const cli = new CliUser(inject("baseUrl"));
    const noEmail = await cli.run(["login", "--password-stdin"], { input: DEMO.password });
    expect(noEmail).toMatchObject({
      code: 1,
      stderr: "error: --email is required with --password-stdin or when stdin is not a terminal (usage)\n",
    });
    const noPassword = await cli.run(["login", "--email", DEMO.email]);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain("--password-stdin");
  });

  it("an unreachable server and a bad option are reported, not thrown", async () => {
    const cli = new CliUser(`http://127.0.0.1:${await closedPort()}`);
    const down = await cli.run(["whoami", "--api-key", "ewk_whatever"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) \(network_error\)/);
    const usage = await cli.run(["keys", "create", "--scope", "account:read"]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("required option '--name <name>' not specified");
  });
});
