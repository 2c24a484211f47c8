/**
 * Turn control inside a ChatSession: one turn at a time; start, resume after an
 * eviction (the alarm watchdog or the next request notices a running turn with no
 * runner), cancel, and decide approvals. The runner itself is pipeline/turn-runner.ts.
 */
import type { SendMessageInput, TurnDto } from "../../worker/features/chat-sessions/schemas";
import { newId } from "../../worker/lib/ids";
import { toIso } from "../../worker/lib/time";
import type { StoredMessage } from "./message-store";
import type { TurnHost } from "./pipeline/host";
import { runTurn } from "./pipeline/turn-runner";
import { fail, type RpcResult, type TurnCaller } from "./protocol";
import { type ApprovalRow, newCheckpoint, type OpenTurn } from "./storage";

/** How often the watchdog alarm checks on a running turn. */
export const WATCHDOG_MS = 30_000;
const CANCEL_WAIT_MS = 5_000;

type Active = { turnId: string; controller: AbortController; done: Promise<void> };

export type Accepted = { turnId: string; message: StoredMessage; streamAfter: number };

export function toTurnDto(turn: OpenTurn, approvals: ApprovalRow[]): TurnDto {
  return {
    id: turn.id,
    status: turn.status,
    started_at: toIso(turn.started_at),
    ended_at: turn.ended_at === null ? null : toIso(turn.ended_at),
    error: turn.error,
    pending_approvals: approvals
      .filter((a) => a.status === "pending")
      .map((a) => ({ call_id: a.call_id, tool: a.tool, input: a.input, requested_at: toIso(a.created_at) })),
  };
}

export class TurnControl {
  #active: Active | null = null;

  constructor(
    private readonly host: TurnHost,
    private readonly ctx: DurableObjectState,
    private readonly lastSeq: () => number,
    /** After each run of a turn (ended or paused): housekeeping such as pruning and metrics. */
    private readonly onSettled: () => void,
  ) {}

  get running(): boolean {
    return this.#active !== null;
  }

  view(turn: OpenTurn): TurnDto {
    return toTurnDto(turn, this.host.store.approvals(turn.id));
  }

  submit(input: SendMessageInput, caller: TurnCaller, ended: boolean): RpcResult<Accepted> {
    if (ended) return fail("session_ended", "This session has ended; start a new one");
    if (this.host.store.openTurn())
      return fail("turn_in_progress", "A turn is still running; wait for it or cancel it");
    const { store } = this.host;
    const turnId = newId();
    const streamAfter = this.lastSeq();
    const checkpoint = newCheckpoint(0, !store.hasTurns());
    store.createTurn(turnId, caller, checkpoint);
    this.host.emit(turnId, "turn.started", { turn_id: turnId });
    const message = this.host.persist({
      role: "user",
      turnId,
      content: input.content,
      attachments: input.attachments ?? [],
      metadata: input.metadata ?? {},
    });
    checkpoint.userSeq = message.seq;
    store.saveCheckpoint(turnId, checkpoint);
    this.#start({ ...store.turn(turnId)!, checkpoint }, false);
    return { ok: true, value: { turnId, message, streamAfter } };
  }

  /** Resumes a turn left running by an earlier instance of this object. */
  wake(): void {
    if (this.#active) return;
    const open = this.host.store.openTurn();
    if (open?.status === "running") this.#start(open, true);
  }

  #start(turn: OpenTurn, resumed: boolean): void {
    const controller = new AbortController();
    void this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    const done = runTurn(this.host, turn, controller.signal, resumed).then(() => {
      if (this.#active?.turnId === turn.id) this.#active = null;
      this.onSettled();
    });
    this.#active = { turnId: turn.id, controller, done };
  }

  async cancel(turnId: string, reason: string): Promise<RpcResult<TurnDto>> {
    const turn = this.host.store.turn(turnId);
    if (!turn) return fail("turn_not_found", "No such turn in this session");
    if (turn.status !== "running" && turn.status !== "awaiting_approval") {
      return fail("turn_not_open", `The turn already ended (${turn.status})`);
    }
    const active = this.#active;
    if (active?.turnId === turnId) {
      active.controller.abort(new DOMException(reason, "AbortError"));
      await Promise.race([active.done, new Promise((resolve) => setTimeout(resolve, CANCEL_WAIT_MS))]);
    } else {
      this.host.store.cancelApprovals(turnId);
      this.host.store.setTurnStatus(turnId, "cancelled");
      this.host.emit(turnId, "turn.cancelled", { reason });
    }
    return { ok: true, value: this.view(this.host.store.turn(turnId)!) };
  }

  /** Records a decision; a turn paused for approval continues at once. */
  decide(callId: string, approve: boolean, reason: string | null): RpcResult<ApprovalRow> {
    const { store } = this.host;
    const approval = store.latestApproval(callId);
    if (!approval) return fail("approval_not_found", "No approval is waiting for this call");
    const turn = store.turn(approval.turn_id);
    const open = turn && (turn.status === "running" || turn.status === "awaiting_approval");
    if (!open || !store.decideApproval(turn.id, callId, approve ? "approved" : "rejected", reason)) {
      return fail(
        "approval_decided",
        `This call was already ${approval.status === "pending" ? "closed" : approval.status}`,
      );
    }
    this.host.emit(turn.id, "tool.approval_decided", {
      call_id: callId,
      name: approval.tool,
      decision: approve ? "approved" : "rejected",
      reason,
    });
    if (turn.status === "awaiting_approval" && !this.#active) {
      store.setTurnStatus(turn.id, "running");
      this.#start({ ...turn, status: "running" }, false);
    }
    return { ok: true, value: store.approval(turn.id, callId)! };
  }

  /** Stops the running turn (session ended or deleted) and waits for it to let go. */
  async stop(reason: string): Promise<void> {
    const open = this.host.store.openTurn();
    if (open) await this.cancel(open.id, reason);
  }
}
