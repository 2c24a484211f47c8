/** `edgewise whoami`: who the current credential (saved login or API key) belongs to, and what it may do. */
import type { Command } from "commander";
import { Me } from "../api-types";
import { contextFrom } from "../context";
import { printJson, printLine, renderPairs } from "../output";

async function whoami(options: { json?: boolean }, command: Command): Promise<void> {
  const ctx = contextFrom(command);
  const credential = ctx.client.credential;
  const me = await ctx.client.get("/me", Me);
  if (options.json) {
    printJson({ ...me, server: ctx.baseUrl, credential });
    return;
  }
  const via =
    credential === "api_key"
      ? `API key ${ctx.apiKey?.slice(0, 12)}…`
      : `session ${ctx.store.getSession(ctx.baseUrl)?.session_id ?? ""}`;
  printLine(`${me.email} (${me.name})`);
  printLine(
    renderPairs([
      ["role", me.role],
      ["user id", me.id],
      ["server", ctx.baseUrl],
      ["auth", via],
      ["scopes", me.scopes.join(" ")],
    ]),
  );
}

export function registerWhoami(program: Command): void {
  program
    .command("whoami")
    .description("show the account behind the current credential")
    .option("--json", "print the result as JSON")
    .action(whoami);
}
