/**
 * Entry point of the `edgewise` command (bundled to cli/dist/edgewise.mjs and
 * started by cli/bin/edgewise.mjs): global options, the commands, and one place
 * where every failure becomes `error: … (code)` and an exit code.
 */
import { Command, Option } from "commander";
import { registerAgents } from "./commands/agents";
import { registerChat } from "./commands/chat";
import { registerEvents } from "./commands/events";
import { registerFiles } from "./commands/files";
import { registerGraph } from "./commands/graph";
import { registerKeys } from "./commands/keys";
import { registerLogin } from "./commands/login";
import { registerMemory } from "./commands/memory";
import { registerSchedules } from "./commands/schedules";
import { registerSync } from "./commands/sync";
import { registerTasks } from "./commands/tasks";
import { registerWhoami } from "./commands/whoami";
import { registerWorkflows } from "./commands/workflows";
import { defaultConfigPath } from "./config-store";
import { DEFAULT_BASE_URL } from "./context";
import { EXIT } from "./errors";
import { reportError } from "./report-error";
import { VERSION } from "./version";

export function buildProgram(): Command {
  const program = new Command("edgewise")
    .description("Command-line client for Edgewise, the edge-native platform on Cloudflare Workers")
    .version(VERSION, "-v, --version")
    .addOption(new Option("--base-url <url>", "Edgewise server").env("EDGEWISE_URL").default(DEFAULT_BASE_URL))
    .addOption(
      new Option("--api-key <key>", "authenticate with this API key instead of the saved login").env(
        "EDGEWISE_API_KEY",
      ),
    )
    .addOption(
      new Option("--config <path>", "where logins are saved")
        .env("EDGEWISE_CONFIG")
        .default(defaultConfigPath(), "$XDG_CONFIG_HOME/edgewise/config.json"),
    )
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  registerLogin(program);
  registerWhoami(program);
  registerKeys(program);
  registerEvents(program);
  registerAgents(program);
  registerChat(program);
  registerTasks(program);
  registerWorkflows(program);
  registerSchedules(program);
  registerFiles(program);
  registerMemory(program);
  registerGraph(program);
  registerSync(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  // `edgewise keys ls | head -1`: a reader that stops early is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT.ok);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

await main(process.argv);
