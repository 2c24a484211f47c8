/**
 * `edgewise events tail` streams your live feed (one line or one JSON object per
 * event) until Ctrl-C or `--count` events; connection status goes to stderr.
 * `edgewise events publish` sends a `user.message` to your own feed.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type HubEvent, HubTicket, PublishedEvent } from "../api-types";
import { contextFrom } from "../context";
import { ApiError, CliError, EXIT } from "../errors";
import { invalidTopics } from "../hub-frames";
import { LiveFeed } from "../live-feed";
import { notice, printJson, printLine } from "../output";

function nonNegativeInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return number;
}

function positiveInt(value: string): number {
  const number = nonNegativeInt(value);
  if (number === 0) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return number;
}

function parseTopics(value: string): string[] {
  const topics = value
    .split(",")
    .map((topic) => topic.trim())
    .filter(Boolean);
  const bad = invalidTopics(topics);
  if (bad.length) throw new InvalidArgumentError(`not a topic name: ${bad.join(", ")} (try apikey, auth.login or *)`);
  return topics.length ? topics : ["*"];
}

/** Network trouble and server errors pass; a refused credential or scope will not fix itself. */
function retryable(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof CliError && error.code === "network_error";
}

function eventLine(event: HubEvent): string {
  return `${event.ts}  #${event.id}  ${event.type}  ${JSON.stringify(event.data)}`;
}

type TailOptions = { topics: string[]; since?: number; count?: number; json?: boolean };

async function tail(options: TailOptions, command: Command): Promise<void> {
  if (typeof WebSocket === "undefined") {
    throw new CliError("unsupported_runtime", `events tail needs a Node with WebSocket (22+), not ${process.version}`);
  }
  const { client } = contextFrom(command);
  let received = 0;
  let signal: NodeJS.Signals | undefined;
  const feed = new LiveFeed({
    connectUrl: async () => (await client.post("/ws/ticket", HubTicket)).url,
    retryable,
    topics: options.topics,
    since: options.since,
    onStatus: (message) => notice(message),
    onEvent: (event) => {
      printLine(options.json ? JSON.stringify(event) : eventLine(event));
      received++;
      if (options.count !== undefined && received >= options.count) feed.stop();
    },
  });
  const onSignal = (name: NodeJS.Signals) => {
    // A second Ctrl-C means "now", even if closing the socket is slow.
    if (signal) process.exit(EXIT.interrupted);
    signal = name;
    feed.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await feed.run();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (signal) {
    notice(`stopped after ${received} event(s)`);
    process.exitCode = signal === "SIGINT" ? EXIT.interrupted : 143;
  }
  // A socket still finishing its closing handshake must not hold the command open.
  setTimeout(() => process.exit(), 2_000).unref();
}

async function publish(text: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const body = { type: "user.message", data: { text } };
  const { event } = await client.post("/events", PublishedEvent, body, { idempotent: true });
  if (options.json) printJson(event);
  else printLine(`Published event #${event.id} (${event.type}).`);
}

export function registerEvents(program: Command): void {
  const events = program.command("events").description("your live event feed");
  events
    .command("tail")
    .description("stream events as they happen, until Ctrl-C (or --count events)")
    .option("--topics <list>", "comma-separated topics, e.g. apikey,auth.login (default: all)", parseTopics, ["*"])
    .option("--since <id>", "first replay the buffered events after this event id", nonNegativeInt)
    .option("--count <n>", "exit after this many events", positiveInt)
    .option("--json", "print one JSON object per event (NDJSON)")
    .action(tail);
  events
    .command("publish")
    .description("send a user.message event to your own feed")
    .argument("<text>", "the message text")
    .option("--json", "print the published event as JSON")
    .action(publish);
}
