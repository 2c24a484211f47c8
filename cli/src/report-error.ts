/**
 * How a failed command ends: `error: <message> (<code>)` on stderr, the API's
 * validation details and hints beneath it, and the exit code to leave with.
 */
import { CommanderError } from "commander";
import { ApiError, CliError, EXIT } from "./errors";

type Issue = { path: string; message: string };

const isIssue = (value: unknown): value is Issue =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Issue).path === "string" &&
  typeof (value as Issue).message === "string";

/** The envelope's `details`, as indented lines: validation issues, or `name: value` pairs. */
export function detailLines(details: unknown): string[] {
  if (Array.isArray(details))
    return details.map((item) => (isIssue(item) ? `${item.path}: ${item.message}` : JSON.stringify(item)));
  if (typeof details === "object" && details !== null) {
    return Object.entries(details).map(
      ([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : JSON.stringify(value)}`,
    );
  }
  return [];
}

export function reportError(
  error: unknown,
  write: (text: string) => void = (text) => process.stderr.write(text),
): number {
  // Commander has already printed its own usage errors.
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    write(`error: ${error.message} (${error.code})\n`);
    const details = error instanceof ApiError ? detailLines(error.details) : [];
    for (const line of [...details, ...error.hints]) write(`  ${line}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`error: ${message} (internal)\n`);
  if (process.env.EDGEWISE_DEBUG && error instanceof Error && error.stack) write(`${error.stack}\n`);
  else write("  set EDGEWISE_DEBUG=1 for a stack trace\n");
  return EXIT.failure;
}
