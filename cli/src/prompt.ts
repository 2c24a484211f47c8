/**
 * Asking the person at the terminal: a visible prompt for the email, a hidden
 * one for the password (raw mode, nothing echoed), and `--password-stdin` for
 * scripts. Prompts go to stderr so stdout stays machine-readable.
 */
import { createInterface } from "node:readline/promises";
import { CliError, EXIT } from "./errors";

export const stdinIsTerminal = (): boolean => process.stdin.isTTY === true;

export async function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: stdinIsTerminal() });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** The value after this chunk's keys (erase, kill-line), and whether Enter/Ctrl-D or Ctrl-C ended it. */
function applyKeys(value: string, chunk: string): { value: string; done: boolean; cancelled: boolean } {
  let next = value;
  for (const char of chunk) {
    if (char === "\r" || char === "\n" || char === "\u0004") return { value: next, done: true, cancelled: false };
    if (char === "\u0003") return { value: "", done: true, cancelled: true };
    if (char === "\u007f" || char === "\b") next = [...next].slice(0, -1).join("");
    else if (char === "\u0015") next = "";
    // An escape sequence (arrow keys…) arrives as one chunk: drop the rest of it.
    else if (char === "\u001b") break;
    else if (char >= " ") next += char;
  }
  return { value: next, done: false, cancelled: false };
}

export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  let value = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: string) => {
      const step = applyKeys(value, chunk);
      value = step.value;
      if (!step.done) return;
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (step.cancelled) reject(new CliError("cancelled", "cancelled", EXIT.interrupted));
      else resolve(value);
    };
    stdin.on("data", onData);
  });
}

/** All of stdin, minus the one line break `echo` or a heredoc adds. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
