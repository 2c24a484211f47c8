/**
 * TaskQueue: one Durable Object per user (`getByName(userId)`), the user's
 * automation worker. Its pump (worker/features/automation/engine/queue.ts) dispatches queued
 * tasks within the user's concurrency limit, sends webhook deliveries and fires
 * schedules; one alarm wakes it for whichever comes first. D1 holds every task,
 * delivery and schedule, so an evicted queue loses nothing: the next wake (an
 * alarm, a new task, the cron sweep) picks up where it stopped.
 */
import { DurableObject } from "cloudflare:workers";
import { QueueEngine } from "../../worker/features/automation/engine/queue";

export class TaskQueue extends DurableObject<Env> {
  #engine: QueueEngine | undefined;

  /** Looks for work. Returns at once: the pump runs on its own (callers may be the queue itself). */
  async wake(userId: string): Promise<void> {
    const engine = await this.#engineFor(userId);
    void engine?.pump();
  }

  /** Wakes and waits for one full pump (the cron sweep, tests and the bench use this). */
  async drain(userId: string): Promise<void> {
    await (await this.#engineFor(userId))?.pump();
  }

  /** Stops the attempts of tasks that were just cancelled. */
  async abort(ids: string[]): Promise<void> {
    (await this.#engineFor())?.abort(ids);
  }

  override async alarm(): Promise<void> {
    await (await this.#engineFor())?.pump();
  }

  async #engineFor(userId?: string): Promise<QueueEngine | undefined> {
    if (this.#engine) return this.#engine;
    const stored = await this.ctx.storage.get<string>("userId");
    if (!stored && userId) await this.ctx.storage.put("userId", userId);
    const owner = stored ?? userId;
    if (!owner) return undefined;
    this.#engine = new QueueEngine(this.env, owner, async (at) => {
      if (at === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
    });
    return this.#engine;
  }
}
