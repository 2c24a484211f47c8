/**
 * `edgewise chat <agent>`: talk to an agent. Starts a session (or resumes one with
 * --session), follows its live stream, and sends your messages: typed at a prompt
 * on a terminal, or given with --message / on stdin for scripts. The answer streams
 * to stdout; tool calls, approvals and a tokens-and-cost line per turn go to stderr.
 * Ctrl-C cancels the turn in flight (twice: quit).
 */
import type { Command } from "commander";
import type { ApiClient } from "../api-client";
import { contextFrom } from "../context";
import { ApiError, CliError, EXIT } from "../errors";
import { notice } from "../output";
import { readStdin, stdinIsTerminal } from "../prompt";
import { type Agent, findAgent } from "./agents-api";
import { Session, SessionDetail, SessionTicket, sessionPath } from "./chat-api";
import { LineReader } from "./chat-input";
import type { TurnEnd } from "./chat-render";
import { SessionStream } from "./chat-stream";
import { cancelTurn, type Decider, followTurn, sendMessage, type TurnContext, TurnRouter } from "./chat-turns";

type ChatOptions = { session?: string; message?: string[]; approveAll?: boolean; rejectAll?: boolean; json?: boolean };

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Network trouble and server errors pass; a refused credential or a deleted session will not fix itself. */
function retryable(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof CliError && error.code === "network_error";
}

async function openSession(client: ApiClient, agent: Agent, sessionId: string | undefined): Promise<SessionDetail> {
  if (!sessionId) {
    const created = await client.post("/sessions", Session, { agent_id: agent.id }, { idempotent: true });
    return { ...created, active_turn: null, last_seq: 0 };
  }
  const detail = await client.get(sessionPath(sessionId), SessionDetail);
  if (detail.agent_id !== agent.id) {
    throw new CliError("session_agent_mismatch", `session ${sessionId} belongs to another agent (${detail.agent_id})`);
  }
  if (detail.status === "ended" && !detail.active_turn) {
    throw new CliError("session_ended", `session ${sessionId} has ended; start a new one without --session`);
  }
  return detail;
}

function decider(options: ChatOptions, reader: LineReader | null): Decider {
  if (options.approveAll) return async () => ({ decision: "approve" });
  if (options.rejectAll) return async () => ({ decision: "reject", reason: "rejected with --reject-all" });
  if (reader) {
    return async (request) => {
      const input = JSON.stringify(request.input);
      const answer = await reader.ask(`Allow ${request.name} ${input}? [y/N] `);
      return /^y(es)?$/i.test(answer?.trim() ?? "")
        ? { decision: "approve" }
        : { decision: "reject", reason: "declined at the terminal" };
    };
  }
  return async (request) => {
    notice(`${request.name} needs approval and there is no terminal to ask; rejecting (pass --approve-all to allow)`);
    return { decision: "reject", reason: "no one to approve (non-interactive; --approve-all allows)" };
  };
}

/**
 * Ctrl-C: the first cancels the turn in flight; the next one, or one while
 * waiting at the prompt, quits (at once if a turn is still running).
 */
class Interrupts {
  turn: string | null = null;
  /** Set once a turn was cancelled or the user asked to quit: a script stops after this. */
  interrupted = false;
  quit = false;
  #cancelling = false;

  constructor(
    private readonly cancel: (turnId: string) => Promise<void>,
    private readonly onQuit: () => void,
  ) {}

  press = () => {
    this.interrupted = true;
    if (this.turn && !this.#cancelling) {
      this.#cancelling = true;
      notice("\ncancelling the turn… (Ctrl-C again to quit)");
      this.cancel(this.turn).catch((error: unknown) => notice(`could not cancel: ${String(error)}`));
      return;
    }
    this.quit = true;
    if (this.turn) process.exit(EXIT.interrupted);
    this.onQuit();
  };

  track(turnId: string | null) {
    this.turn = turnId;
    this.#cancelling = false;
  }
}

async function runTurn(ctx: TurnContext, interrupts: Interrupts, content: string): Promise<TurnEnd> {
  const turnId = await sendMessage(ctx, content);
  interrupts.track(turnId);
  try {
    return await followTurn(ctx, turnId);
  } finally {
    interrupts.track(null);
  }
}

async function messagesFrom(options: ChatOptions): Promise<string[]> {
  if (options.message?.length) return options.message;
  const text = await readStdin();
  return text.trim() ? [text] : [];
}

async function chat(agentRef: string, options: ChatOptions, command: Command): Promise<void> {
  if (typeof WebSocket === "undefined") {
    throw new CliError("unsupported_runtime", `chat needs a Node with WebSocket (22+), not ${process.version}`);
  }
  if (options.approveAll && options.rejectAll)
    throw new CliError("usage", "choose --approve-all or --reject-all, not both");
  const { client } = contextFrom(command);
  const agent = await findAgent(client, agentRef);
  const detail = await openSession(client, agent, options.session);
  notice(`${agent.name} · session ${detail.id} (resume: edgewise chat ${agent.id} --session ${detail.id})`);

  const interactive = stdinIsTerminal() && !options.message?.length;
  const reader = stdinIsTerminal() ? new LineReader() : null;
  const router = new TurnRouter();
  const stream = new SessionStream({
    connectUrl: async () => (await client.post(`${sessionPath(detail.id)}/ws/ticket`, SessionTicket)).url,
    retryable,
    after: detail.last_seq,
    onEvent: (event) => router.push(event),
    onStatus: (message) => notice(message),
  });
  let streamError: unknown = null;
  const streamFailed = stream.run().then(() => new Promise<never>(() => {}));
  // While no turn is followed, a dead stream ends the prompt; the error is reported below.
  streamFailed.catch((error: unknown) => {
    streamError = error;
    reader?.close();
  });
  const ctx: TurnContext = {
    client,
    sessionId: detail.id,
    router,
    decide: decider(options, reader),
    json: options.json === true,
    out: process.stdout,
    err: process.stderr,
    streamFailed,
  };
  const interrupts = new Interrupts(
    (turnId) => cancelTurn(ctx, turnId),
    () => reader?.close(),
  );
  process.on("SIGINT", interrupts.press);
  reader?.onInterrupt(interrupts.press);
  let failed = false;
  try {
    if (detail.active_turn) {
      notice("a turn is already in flight; following it");
      interrupts.track(detail.active_turn.id);
      const pending = detail.active_turn.pending_approvals.map((p) => ({
        call_id: p.call_id,
        name: p.tool,
        input: p.input,
      }));
      failed ||= (await followTurn(ctx, detail.active_turn.id, pending)).status !== "completed";
      interrupts.track(null);
    }
    if (interactive && reader) {
      notice("Type a message and press Enter; :quit or Ctrl-D to leave.");
      for (let line = await reader.ask("you› "); line !== null && !interrupts.quit; line = await reader.ask("you› ")) {
        const content = line.trim();
        if (content === ":quit" || content === ":q") break;
        if (content) await runTurn(ctx, interrupts, content);
      }
    } else {
      for (const content of await messagesFrom(options)) {
        if (interrupts.interrupted) break;
        failed ||= (await runTurn(ctx, interrupts, content)).status !== "completed";
      }
    }
  } finally {
    process.off("SIGINT", interrupts.press);
    reader?.close();
    stream.stop();
  }
  if (streamError) throw streamError;
  if (interrupts.quit || (interrupts.interrupted && !interactive)) process.exitCode = EXIT.interrupted;
  else if (failed && !interactive) process.exitCode = EXIT.failure;
  // A socket still finishing its closing handshake must not hold the command open.
  setTimeout(() => process.exit(), 2_000).unref();
}

export function registerChat(program: Command): void {
  program
    .command("chat")
    .description("chat with an agent: interactive on a terminal, or --message / stdin for scripts")
    .argument("<agent>", "the agent's id or name")
    .option("--session <id>", "continue this session instead of starting a new one")
    .option("-m, --message <text>", "send this message and exit when the answer is complete (repeatable)", collect)
    .option("--approve-all", "allow every tool call that asks for approval")
    .option("--reject-all", "refuse every tool call that asks for approval")
    .option("--json", "print the stream's events as JSON lines instead of text")
    .action(chat);
}
