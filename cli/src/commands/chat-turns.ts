/**
 * Following one turn of `edgewise chat`: routing the session stream's events to
 * the turn they belong to (events that arrive before we know the turn's id wait in
 * a buffer), printing them, deciding tool approvals as they are asked for (one
 * question at a time), and cancelling.
 */
import { z } from "zod";
import type { ApiClient } from "../api-client";
import { AnyJson } from "../api-types";
import { ApiError } from "../errors";
import { AcceptedTurn, type StreamEvent, sessionPath } from "./chat-api";
import { type TurnEnd, TurnPrinter } from "./chat-render";

type Sink = { write(chunk: string): unknown };

/** How many events of other turns are kept while no turn is followed. */
const BUFFER_LIMIT = 5_000;

export class TurnRouter {
  #buffer: StreamEvent[] = [];
  #current: { turnId: string; handle: (event: StreamEvent) => void } | null = null;

  push(event: StreamEvent) {
    if (this.#current && event.turn_id === this.#current.turnId) return this.#current.handle(event);
    this.#buffer.push(event);
    if (this.#buffer.length > BUFFER_LIMIT) this.#buffer.splice(0, this.#buffer.length - BUFFER_LIMIT);
  }

  /** Sends `turnId`'s events to `handle`: first those already received, then each as it comes. */
  follow(turnId: string, handle: (event: StreamEvent) => void): void {
    this.#current = { turnId, handle };
    const mine = this.#buffer.filter((event) => event.turn_id === turnId);
    this.#buffer = this.#buffer.filter((event) => event.turn_id !== turnId);
    for (const event of mine) handle(event);
  }

  release(): void {
    this.#current = null;
  }
}

export type ApprovalRequest = { call_id: string; name: string; input: unknown };
export type Decision = { decision: "approve" | "reject"; reason?: string };
export type Decider = (request: ApprovalRequest) => Promise<Decision>;

const ApprovalRequired = z.looseObject({ call_id: z.string(), name: z.string(), input: z.unknown() });

export type TurnContext = {
  client: ApiClient;
  sessionId: string;
  router: TurnRouter;
  decide: Decider;
  json: boolean;
  out: Sink;
  err: Sink;
  /** Rejects when the stream has failed for good; a followed turn then ends with it. */
  streamFailed: Promise<never>;
};

export async function sendMessage(ctx: TurnContext, content: string): Promise<string> {
  const path = `${sessionPath(ctx.sessionId)}/messages`;
  const accepted = await ctx.client.post(path, AcceptedTurn, { content });
  return accepted.turn_id;
}

export async function cancelTurn(ctx: TurnContext, turnId: string): Promise<void> {
  try {
    await ctx.client.post(`${sessionPath(ctx.sessionId)}/turns/${encodeURIComponent(turnId)}/cancel`, AnyJson);
  } catch (error) {
    // It ended on its own meanwhile: nothing to cancel.
    if (!(error instanceof ApiError && error.code === "turn_not_open")) throw error;
  }
}

async function decideOne(ctx: TurnContext, printer: TurnPrinter, request: ApprovalRequest): Promise<void> {
  const choice = await ctx.decide(request);
  const path = `${sessionPath(ctx.sessionId)}/approvals/${encodeURIComponent(request.call_id)}`;
  try {
    await ctx.client.post(path, AnyJson, choice);
  } catch (error) {
    // Decided elsewhere (the console, another CLI) or the turn ended: say so and carry on.
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    printer.note(`${request.name}: ${error.message}`);
  }
}

/**
 * Prints `turnId`'s events until it ends; `pending` are approvals already waiting
 * (a resumed session). Approvals are asked one after another, in arrival order.
 */
export function followTurn(ctx: TurnContext, turnId: string, pending: ApprovalRequest[] = []): Promise<TurnEnd> {
  const printer = new TurnPrinter(ctx.out, ctx.err, ctx.json);
  let queue: Promise<void> = Promise.resolve();
  const ask = (request: ApprovalRequest) => {
    queue = queue
      .then(() => decideOne(ctx, printer, request))
      .catch((error: unknown) => printer.note(`could not send the decision: ${String(error)}`));
  };
  const ended = new Promise<TurnEnd>((resolve) => {
    ctx.router.follow(turnId, (event) => {
      printer.handle(event);
      if (event.type === "tool.approval_required") {
        const request = ApprovalRequired.safeParse(event.data);
        if (request.success) ask(request.data);
      }
      if (printer.end) {
        ctx.router.release();
        resolve(printer.end);
      }
    });
    for (const request of pending) ask(request);
  });
  return Promise.race([ended, ctx.streamFailed]);
}
