/**
 * The durable executor of one workflow run, hosted by the WorkflowRun Durable
 * Object. Every advance reads the run's rows from D1, asks the planner what is
 * next, writes the decisions, and only then starts steps. A step is marked
 * running (attempt + 1) before its side effect and its result is written before
 * anything depends on it, so after a crash (the object evicted mid-step) the
 * next advance re-sends only the interrupted step, with the same idempotency key.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { workflowRuns, workflowStepRuns, workflowVersions } from "../../../db/schema";
import type { Scope } from "../../auth/scopes";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { flushSoon, increment } from "../../observability/collector";
import { runBatch, type Statement } from "./batch";
import { flattenSteps, type LeafStep, LeafStep as LeafStepSchema, type Step, WorkflowDefinition } from "./definition";
import { standingOf } from "./grant";
import { emptyState, isLeaf, type Plan, planRun, runContext, type StepState } from "./planner";
import { finishRun, runLog } from "./run-lifecycle";
import { stepOutcome } from "./step-outcome";
import { runProgress, stepIdempotencyKey, stepKey, stepPatch, toState } from "./step-rows";
import { runLeafStep, type StepResult } from "./steps";
import { takeIntegrationToken } from "./steps/integration";
import { resolveTemplate, type TemplateContext } from "./template";

/** While steps run, the object re-checks this often; after an eviction the alarm resumes the run. */
export const HEARTBEAT_MS = 15_000;

type RunRow = typeof workflowRuns.$inferSelect;

export class RunEngine {
  readonly #inFlight = new Map<string, AbortController>();
  #definition: WorkflowDefinition | undefined;
  #steps = new Map<string, Step>();
  #advancing: Promise<void> | null = null;
  #again = false;
  /** What this pass's steps run with: the run's grant as it stands now (./grant.ts). */
  #scopes: ReadonlySet<Scope> = new Set();

  constructor(
    private readonly env: Env,
    readonly runId: string,
    private readonly setAlarm: (at: number | null) => Promise<void>,
  ) {}

  get db(): Db {
    return getDb(this.env);
  }

  /** Advances the run; concurrent calls coalesce into one more pass. */
  advance(): Promise<void> {
    if (this.#advancing) {
      this.#again = true;
      return this.#advancing;
    }
    this.#advancing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#advanceOnce();
        } while (this.#again);
      } finally {
        this.#advancing = null;
        flushSoon(this.env);
      }
    })();
    return this.#advancing;
  }

  /** Aborts steps in flight (cancellation, or a failed sibling in a parallel group). */
  abortAll(reason: string) {
    for (const controller of this.#inFlight.values()) controller.abort(reason);
    this.#inFlight.clear();
  }

  async #load(run: RunRow) {
    if (!this.#definition) {
      const version = await this.db.query.workflowVersions.findFirst({
        where: and(eq(workflowVersions.workflowId, run.workflowId), eq(workflowVersions.version, run.version)),
      });
      this.#definition = WorkflowDefinition.parse(version?.definition);
      this.#steps = new Map(flattenSteps(this.#definition.steps).map(({ step }) => [step.id, step]));
    }
    const rows = await this.db.select().from(workflowStepRuns).where(eq(workflowStepRuns.runId, run.id));
    return { definition: this.#definition, states: new Map(rows.map((row) => [row.stepId, toState(row)])) };
  }

  async #advanceOnce() {
    const run = await this.db.query.workflowRuns.findFirst({ where: eq(workflowRuns.id, this.runId) });
    if (!run || (run.status !== "running" && run.status !== "waiting")) {
      this.abortAll("run finished");
      await this.setAlarm(null);
      return;
    }
    const { definition, states } = await this.#load(run);
    const standing = await standingOf(this.env, run);
    if (!standing.ok) {
      this.abortAll(standing.code);
      await this.setAlarm(null);
      await finishRun(this.env, run, "failed", states, null, `${standing.code}: ${standing.message}`);
      return;
    }
    this.#scopes = standing.scopes;
    const resumed = this.#resumeInterrupted(states);
    const now = Date.now();
    const plan = planRun(definition, states, this.#base(run), now);
    await this.#persist(run, plan, resumed, states, now);
    if (plan.outcome === "succeeded" || plan.outcome === "failed") {
      this.abortAll("run finished");
      await this.setAlarm(null);
      await finishRun(this.env, run, plan.outcome, states, plan.failedStep);
      return;
    }
    for (const step of plan.approvals) {
      const message = String(resolveTemplate(step.message, runContext(this.#base(run), states)));
      await publishEvent(this.env, run.userId, "workflow.approval_requested", {
        run_id: run.id,
        workflow_id: run.workflowId,
        step_id: step.id,
        message,
      });
    }
    for (const step of plan.start) await this.#start(run, definition, step, states);
    const heartbeat = this.#inFlight.size > 0 ? Date.now() + HEARTBEAT_MS : null;
    const wakeAt = [plan.wakeAt, heartbeat].filter((at): at is number => at !== null);
    await this.setAlarm(wakeAt.length ? Math.min(...wakeAt) : null);
  }

  #base(run: RunRow): TemplateContext {
    return {
      input: run.input ?? {},
      run: { id: run.id, workflow_id: run.workflowId, version: run.version, task_id: run.taskId },
    };
  }

  /** Leaf steps marked running that no live execution of ours holds were interrupted: run them again. */
  #resumeInterrupted(states: Map<string, StepState>): string[] {
    const resumed: string[] = [];
    for (const [id, state] of states) {
      const step = this.#steps.get(id);
      if (state.status !== "running" || !step || !isLeaf(step) || this.#inFlight.has(id)) continue;
      state.status = "pending";
      state.attempt = Math.max(0, state.attempt - 1);
      resumed.push(id);
    }
    return resumed;
  }

  async #persist(run: RunRow, plan: Plan, resumed: string[], states: Map<string, StepState>, now: number) {
    const db = this.db;
    const writes: Statement[] = [];
    for (const id of resumed) {
      const state = states.get(id) ?? emptyState();
      writes.push(
        db
          .update(workflowStepRuns)
          .set(stepPatch({ status: "pending", attempt: state.attempt }))
          .where(stepKey(run.id, id)),
        runLog(db, run, id, "warn", "resuming after an interruption; the same idempotency key is sent again"),
      );
    }
    for (const effect of plan.effects) {
      writes.push(db.update(workflowStepRuns).set(stepPatch(effect.patch)).where(stepKey(run.id, effect.stepId)));
      if (effect.log) writes.push(runLog(db, run, effect.stepId, "info", effect.log));
    }
    const progress = runProgress(this.#steps, states, plan);
    const status = plan.outcome === "waiting" ? "waiting" : "running";
    writes.push(
      db
        .update(workflowRuns)
        .set({
          status,
          heartbeatAt: now,
          progressPercent: progress.percent,
          progressMessage: progress.message,
          updatedAt: now,
        })
        .where(and(eq(workflowRuns.id, run.id), inArray(workflowRuns.status, ["running", "waiting"]))),
    );
    await runBatch(db, writes);
    if (progress.percent !== run.progressPercent || progress.message !== run.progressMessage) {
      await publishEvent(this.env, run.userId, "workflow.run_progress", { run_id: run.id, ...progress }, [
        `run:${run.id}`,
      ]);
    }
  }

  /** Starts one leaf step: waits for its integration's token, claims the attempt, then runs it in the background. */
  async #start(run: RunRow, definition: WorkflowDefinition, step: LeafStep, states: Map<string, StepState>) {
    if (!(await this.#takeToken(run, step))) return;
    const resolved = LeafStepSchema.safeParse(resolveTemplate(step, runContext(this.#base(run), states)));
    const now = Date.now();
    const state = states.get(step.id) ?? emptyState();
    if (!(await this.#claim(run, step, resolved.success ? resolved.data : null, now))) return;
    const attempt = state.attempt + 1;
    Object.assign(state, { status: "running", attempt });
    if (!resolved.success) {
      const message = `The step's templates produced invalid input: ${resolved.error.issues[0]?.message ?? "invalid"}`;
      const result = { ok: false, code: "invalid_input", message, retryable: false, costMicros: 0 } as const;
      await this.#record(run, step, attempt, result, now);
      this.#again = true;
      return;
    }
    await this.#launch(run, definition, step, resolved.data, { attempt, startedAt: now });
  }

  /** False (and the step deferred until the bucket refills) when its integration is rate limited. */
  async #takeToken(run: RunRow, step: LeafStep): Promise<boolean> {
    const gate = await takeIntegrationToken(this.env, run.userId, step.integration);
    if (gate.allowed) return true;
    const at = Date.now() + gate.retryAfterMs;
    await this.db
      .update(workflowStepRuns)
      .set(stepPatch({ nextAttemptAt: at }))
      .where(stepKey(run.id, step.id));
    await publishEvent(this.env, run.userId, "integration.rate_limited", {
      integration: step.integration ?? "",
      retry_after_ms: gate.retryAfterMs,
      task_id: null,
      run_id: run.id,
    });
    this.#again = true;
    return false;
  }

  /** Marks the step running (attempt + 1) before its side effect; false if another pass claimed it. */
  async #claim(run: RunRow, step: LeafStep, input: LeafStep | null, now: number): Promise<boolean> {
    const claim = await this.db
      .update(workflowStepRuns)
      .set({
        status: "running",
        attempt: sql`${workflowStepRuns.attempt} + 1`,
        startedAt: now,
        nextAttemptAt: null,
        input,
        updatedAt: now,
      })
      .where(and(stepKey(run.id, step.id), inArray(workflowStepRuns.status, ["pending", "retrying"])));
    return claim.meta.changes === 1;
  }

  /** Runs the claimed attempt without waiting for it; its result is recorded, then the run advances. */
  async #launch(
    run: RunRow,
    definition: WorkflowDefinition,
    step: LeafStep,
    input: LeafStep,
    { attempt, startedAt }: { attempt: number; startedAt: number },
  ) {
    const controller = new AbortController();
    this.#inFlight.set(step.id, controller);
    const limits = await getConfig(this.env, "workflow_limits");
    const timeoutMs = step.timeout_ms ?? definition.defaults?.timeout_ms ?? limits.default_step_timeout_ms;
    const context = {
      env: this.env,
      userId: run.userId,
      scopes: this.#scopes,
      idempotencyKey: stepIdempotencyKey(run.id, step.id),
      timeoutMs,
      progress: () => {},
    };
    void runLeafStep(input, context, controller.signal).then(async (result) => {
      if (this.#inFlight.get(step.id) !== controller) return; // cancelled or superseded
      this.#inFlight.delete(step.id);
      await this.#record(run, step, attempt, result, startedAt).catch((error) =>
        console.error(
          JSON.stringify({
            level: "error",
            msg: "step result not recorded",
            run: run.id,
            step: step.id,
            error: String(error),
          }),
        ),
      );
      await this.advance();
    });
  }

  /** Writes a finished attempt: success, a retry after backoff, or the step's final failure. */
  async #record(run: RunRow, step: LeafStep, attempt: number, result: StepResult, startedAt: number) {
    const db = this.db;
    const now = Date.now();
    const policy = step.retry ?? this.#definition?.defaults?.retry;
    const { status, patch, message } = await stepOutcome(this.env, policy, attempt, result, now - startedAt, now);
    const [update] = await db.batch([
      db
        .update(workflowStepRuns)
        .set({ ...stepPatch(patch), costMicros: sql`${workflowStepRuns.costMicros} + ${result.costMicros}` })
        .where(and(stepKey(run.id, step.id), eq(workflowStepRuns.status, "running"))),
      db
        .update(workflowRuns)
        .set({ costMicros: sql`${workflowRuns.costMicros} + ${result.costMicros}` })
        .where(eq(workflowRuns.id, run.id)),
      runLog(db, run, step.id, status === "succeeded" ? "info" : status === "retrying" ? "warn" : "error", message),
    ]);
    if (update.meta.changes !== 1) return;
    if (status === "retrying") {
      increment("workflow_step_retries_total", { kind: step.kind });
      return;
    }
    const finished = { status, attempt, error: patch.error ?? null, duration_ms: now - startedAt };
    await publishEvent(
      this.env,
      run.userId,
      "workflow.step_finished",
      { run_id: run.id, step_id: step.id, kind: step.kind, ...finished },
      [`run:${run.id}`],
    );
  }
}
