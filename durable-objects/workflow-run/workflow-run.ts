/**
 * WorkflowRun: one Durable Object per workflow run (`getByName(runId)`), the
 * run's orchestrator. It holds no state of its own beyond the run id: the run's
 * rows in D1 are the truth, and its alarm is the heartbeat that resumes the run
 * after an eviction or a restart (worker/features/automation/engine/run-engine.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { getDb } from "../../worker/db/client";
import { workflowRuns, workflowStepRuns } from "../../worker/db/schema";
import type { StepState } from "../../worker/features/automation/engine/planner";
import { RunEngine } from "../../worker/features/automation/engine/run-engine";
import { finishRun } from "../../worker/features/automation/engine/run-lifecycle";

export class WorkflowRun extends DurableObject<Env> {
  #engine: RunEngine | undefined;

  /** Begins (or, called again, nudges) the run. Returns once its first steps have started. */
  async start(runId: string): Promise<void> {
    if (!(await this.ctx.storage.get<string>("runId"))) await this.ctx.storage.put("runId", runId);
    await (await this.#engineFor())?.advance();
  }

  /** Re-reads the run and moves it on: after an approval, or from the cron sweep. */
  async kick(): Promise<void> {
    await (await this.#engineFor())?.advance();
  }

  /** Cancels the run: aborts steps in flight and marks the rest cancelled. False if it had already ended. */
  async cancel(reason: string): Promise<boolean> {
    const engine = await this.#engineFor();
    if (!engine) return false;
    engine.abortAll(reason);
    await this.ctx.storage.deleteAlarm();
    const db = getDb(this.env);
    const run = await db.query.workflowRuns.findFirst({ where: eq(workflowRuns.id, engine.runId) });
    if (!run) return false;
    const rows = await db.select().from(workflowStepRuns).where(eq(workflowStepRuns.runId, run.id));
    const states = new Map(rows.map((row) => [row.stepId, { status: row.status, output: row.output } as StepState]));
    return finishRun(this.env, run, "cancelled", states, null, reason);
  }

  override async alarm(): Promise<void> {
    await (await this.#engineFor())?.advance();
  }

  async #engineFor(): Promise<RunEngine | undefined> {
    if (this.#engine) return this.#engine;
    const runId = await this.ctx.storage.get<string>("runId");
    if (!runId) return undefined;
    this.#engine = new RunEngine(this.env, runId, async (at) => {
      if (at === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
    });
    return this.#engine;
  }
}
