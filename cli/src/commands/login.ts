/**
 * `edgewise login` and `edgewise logout`: start a session with email and
 * password and save its tokens for this server, or end it on the server and
 * forget it locally.
 */
import type { Command } from "commander";
import { expiryOf } from "../api-client";
import { AnyJson, LoginResponse } from "../api-types";
import type { StoredSession } from "../config-store";
import { type Context, contextFrom } from "../context";
import { CliError } from "../errors";
import { exchange } from "../http";
import { notice, printJson, printLine } from "../output";
import { promptHidden, promptLine, readStdin, stdinIsTerminal } from "../prompt";

type LoginOptions = { email?: string; passwordStdin?: boolean; json?: boolean };

async function readCredentials(options: LoginOptions): Promise<{ email: string; password: string }> {
  if (!options.email && (options.passwordStdin || !stdinIsTerminal())) {
    throw new CliError("usage", "--email is required with --password-stdin or when stdin is not a terminal");
  }
  if (!options.passwordStdin && !stdinIsTerminal()) {
    throw new CliError("usage", "stdin is not a terminal: pass the password with --password-stdin");
  }
  const email = options.email?.trim() || (await promptLine("Email: "));
  const password = options.passwordStdin ? await readStdin() : await promptHidden("Password: ");
  if (!email) throw new CliError("usage", "an email is required");
  if (!password) throw new CliError("usage", "an empty password was given");
  return { email, password };
}

/** Ends a replaced session on the server; it may already be gone, which is fine. */
async function endQuietly(ctx: Context, session: StoredSession): Promise<void> {
  const headers = { authorization: `Bearer ${session.access_token}` };
  await exchange({ method: "POST", url: ctx.client.url("/auth/logout"), headers }, AnyJson).catch(() => {});
}

async function login(options: LoginOptions, command: Command): Promise<void> {
  const ctx = contextFrom(command);
  const credentials = await readCredentials(options);
  const previous = ctx.store.getSession(ctx.baseUrl);
  const result = await ctx.client.post("/auth/login", LoginResponse, credentials, { auth: "none" });
  const { id, email, name, role } = result.user;
  ctx.store.saveSession(ctx.baseUrl, {
    user: { id, email, name, role },
    session_id: result.session_id,
    access_token: result.access_token,
    refresh_token: result.refresh_token,
    access_expires_at: expiryOf(result),
    logged_in_at: new Date().toISOString(),
  });
  if (previous) await endQuietly(ctx, previous);
  if (options.json) printJson({ server: ctx.baseUrl, session_id: result.session_id, user: result.user });
  else printLine(`Logged in to ${ctx.baseUrl} as ${email} (${role}).`);
  if (ctx.apiKey) notice("note: an API key (--api-key / EDGEWISE_API_KEY) is set and takes precedence over this login");
}

async function logout(_options: unknown, command: Command): Promise<void> {
  const ctx = contextFrom(command);
  if (!ctx.store.getSession(ctx.baseUrl)) {
    notice(`Not logged in to ${ctx.baseUrl}; nothing to do.`);
    return;
  }
  try {
    await ctx.client.request("POST", "/auth/logout", AnyJson, { auth: "session" });
  } catch (error) {
    // A session that has already ended needs no ending; anything else (server down) must not be hidden.
    if (!(error instanceof CliError) || error.exitCode !== 2) throw error;
  }
  ctx.store.removeSession(ctx.baseUrl);
  printLine(`Logged out of ${ctx.baseUrl}.`);
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("log in with email and password; the session is saved for this server")
    .option("--email <email>", "account email (prompted for when omitted)")
    .option("--password-stdin", "read the password from stdin (for scripts)")
    .option("--json", "print the result as JSON")
    .action(login);
  program.command("logout").description("end the saved session on the server and forget it").action(logout);
}
