/**
 * The per-user queue, hosted by the TaskQueue Durable Object. A pump promotes
 * tasks whose time has come, starts the best queued ones while the user has free
 * slots (priority, then age) and their integration's token bucket allows, and
 * sends due webhook deliveries and fires due schedules: the object's one alarm
 * serves all three lanes. Tasks run inside this object; a task found running
 * that no live attempt holds was interrupted by a crash and goes back to the queue.
 */
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { tasks } from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { flushSoon } from "../../observability/collector";
import { LeafStep } from "./definition";
import { standingOf } from "./grant";
import { startRun } from "./run-lifecycle";
import { fireDueSchedules } from "./schedule-fire";
import { markScheduleRunStarted } from "./schedule-outcome";
import { runLeafStep } from "./steps";
import { takeIntegrationToken } from "./steps/integration";
import { readyTasks } from "./task-create";
import {
  type AttemptResult,
  completeTaskAttempt,
  finishTaskFromRun,
  publishTaskStatus,
  reportProgress,
  settleTask,
} from "./task-outcome";
import { resolveTemplate } from "./template";
import { pumpDeliveries } from "./webhook-deliver";

type TaskRow = typeof tasks.$inferSelect;

/** Kinds whose action occupies one of the user's concurrency slots while it runs. */
const SLOT_KINDS = ["tool", "http", "agent", "sleep", "workflow"] as const;
const LEAF_KINDS = new Set(["tool", "http", "agent", "sleep"]);
const HEARTBEAT_MS = 30_000;
const PROGRESS_EVERY_MS = 250;

export class QueueEngine {
  readonly #inFlight = new Map<string, AbortController>();
  readonly #deliveries = new Set<string>();
  #pumping: Promise<void> | null = null;
  #again = false;
  #recovered = false;

  constructor(
    private readonly env: Env,
    readonly userId: string,
    private readonly setAlarm: (at: number | null) => Promise<void>,
  ) {}

  /** Runs the lanes; a call while one is on its way makes it go round once more. */
  pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pumpOnce();
        } while (this.#again);
      } catch (error) {
        console.error(JSON.stringify({ level: "error", msg: "queue pump failed", error: String(error) }));
        await this.setAlarm(Date.now() + 5_000);
      } finally {
        this.#pumping = null;
        flushSoon(this.env);
      }
    })();
    return this.#pumping;
  }

  /** Stops attempts of tasks that were just cancelled. */
  abort(ids: string[]) {
    for (const id of ids) {
      this.#inFlight.get(id)?.abort("cancelled");
      this.#inFlight.delete(id);
    }
  }

  async #pumpOnce() {
    if (!this.#recovered) {
      await this.#recover();
      this.#recovered = true;
    }
    await this.#promote();
    const lookedAt = Date.now();
    await this.#dispatch(lookedAt);
    const nextDelivery = await pumpDeliveries(this.env, this.userId, this.#deliveries, () => this.pump());
    const nextSchedule = await fireDueSchedules(this.env, this.userId, "alarm");
    const nextTask = await this.#nextTaskTime(lookedAt);
    const heartbeat = this.#inFlight.size || this.#deliveries.size ? Date.now() + HEARTBEAT_MS : null;
    const times = [nextDelivery, nextSchedule, nextTask, heartbeat].filter((t): t is number => t !== null);
    await this.setAlarm(times.length ? Math.min(...times) : null);
  }

  /** After a restart: attempts this object no longer holds go back to the queue; finished runs end their tasks. */
  async #recover() {
    const db = getDb(this.env);
    const running = await db
      .select()
      .from(tasks)
      .where(and(eq(tasks.userId, this.userId), eq(tasks.status, "running")));
    for (const task of running) {
      if (LEAF_KINDS.has(task.kind) && !task.actionFinishedAt && !this.#inFlight.has(task.id)) {
        await db
          .update(tasks)
          .set({
            status: "queued",
            attempt: Math.max(0, task.attempt - 1),
            runAfter: Date.now(),
            updatedAt: Date.now(),
          })
          .where(and(eq(tasks.id, task.id), eq(tasks.status, "running")));
      } else if (task.kind === "workflow" && task.workflowRunId) {
        const run = await db.query.workflowRuns.findFirst({
          where: (r, { eq: is }) => is(r.id, task.workflowRunId ?? ""),
        });
        if (!run) await db.update(tasks).set({ status: "queued", runAfter: Date.now() }).where(eq(tasks.id, task.id));
        else if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled")
          await finishTaskFromRun(this.env, task.id, {
            outcome: run.status,
            output: run.output,
            error: run.error,
            costMicros: run.costMicros,
          });
      } else if (task.actionFinishedAt || task.kind === "group") {
        await settleTask(this.env, task.id);
      }
    }
  }

  /** pending and retrying tasks whose time has come join the queue. */
  async #promote() {
    await getDb(this.env)
      .update(tasks)
      .set({ status: "queued", updatedAt: Date.now() })
      .where(
        and(
          eq(tasks.userId, this.userId),
          inArray(tasks.status, ["pending", "retrying"]),
          lte(tasks.runAfter, Date.now()),
        ),
      );
  }

  async #busySlots(): Promise<number> {
    const [row] = await getDb(this.env)
      .select({ n: sql<number>`COUNT(*)` })
      .from(tasks)
      .where(
        and(
          eq(tasks.userId, this.userId),
          eq(tasks.status, "running"),
          inArray(tasks.kind, [...SLOT_KINDS]),
          isNull(tasks.actionFinishedAt),
        ),
      );
    return row?.n ?? 0;
  }

  /** Starts the tasks due at `now` while slots are free; the rate-limited ones are deferred. */
  async #dispatch(now: number) {
    const { max_concurrent_per_user: limit } = await getConfig(this.env, "task_queue");
    let free = limit - (await this.#busySlots());
    if (free <= 0) return;
    for (const task of await readyTasks(getDb(this.env), this.userId, now, free + 20)) {
      const needsSlot = task.kind !== "group";
      if (needsSlot && free <= 0) continue;
      const gate = await takeIntegrationToken(this.env, this.userId, task.integration);
      if (!gate.allowed) {
        await this.#deferForRateLimit(task, gate.retryAfterMs);
        continue;
      }
      const claimed = await this.#claim(task);
      if (!claimed) continue;
      if (needsSlot) free--;
      this.#start(claimed);
    }
  }

  async #deferForRateLimit(task: TaskRow, retryAfterMs: number) {
    await getDb(this.env)
      .update(tasks)
      .set({ runAfter: Date.now() + retryAfterMs, progressMessage: `rate limited by ${task.integration}` })
      .where(and(eq(tasks.id, task.id), eq(tasks.status, "queued")));
    await publishEvent(this.env, this.userId, "integration.rate_limited", {
      integration: task.integration ?? "",
      retry_after_ms: retryAfterMs,
      task_id: task.id,
      run_id: null,
    });
  }

  async #claim(task: TaskRow): Promise<TaskRow | null> {
    const now = Date.now();
    const [row] = await getDb(this.env)
      .update(tasks)
      .set({
        status: "running",
        attempt: sql`${tasks.attempt} + 1`,
        startedAt: sql`COALESCE(${tasks.startedAt}, ${now})`,
        progressMessage: null,
        workflowRunId: task.kind === "workflow" ? newId() : null,
        updatedAt: now,
      })
      .where(and(eq(tasks.id, task.id), eq(tasks.status, "queued")))
      .returning();
    if (!row) return null;
    await publishTaskStatus(this.env, row);
    if (row.scheduleRunId) await markScheduleRunStarted(this.env, row.scheduleRunId, now);
    return row;
  }

  #start(task: TaskRow) {
    const controller = new AbortController();
    if (LEAF_KINDS.has(task.kind)) this.#inFlight.set(task.id, controller);
    void this.#execute(task, controller.signal)
      .catch(
        (error): AttemptResult => ({
          ok: false,
          code: "task_error",
          message: String(error),
          retryable: true,
          costMicros: 0,
        }),
      )
      .then(async (result) => {
        if (result) await completeTaskAttempt(this.env, task, result);
      })
      .catch((error) =>
        console.error(
          JSON.stringify({ level: "error", msg: "task result not recorded", task: task.id, error: String(error) }),
        ),
      )
      .finally(() => {
        // Only after the result is written: a pump in between must still see the attempt as ours.
        if (this.#inFlight.get(task.id) === controller) this.#inFlight.delete(task.id);
        void this.pump();
      });
  }

  /** Runs the task's action; null when the outcome arrives later (a workflow run reports back). */
  async #execute(task: TaskRow, signal: AbortSignal): Promise<AttemptResult | null> {
    const standing = await standingOf(this.env, task);
    if (!standing.ok)
      return { ok: false, code: standing.code, message: standing.message, retryable: false, costMicros: 0 };
    const context = { task: { id: task.id, title: task.title, parameters: task.parameters } };
    const action = resolveTemplate(task.action, context) as Record<string, unknown>;
    if (task.kind === "group") return { ok: true, output: null, costMicros: 0 };
    if (task.kind === "workflow") return this.#startWorkflow(task, action);
    const step = LeafStep.safeParse({ ...action, id: "task" });
    if (!step.success)
      return {
        ok: false,
        code: "invalid_input",
        message: step.error.issues[0]?.message ?? "invalid action",
        retryable: false,
        costMicros: 0,
      };
    const policy = await getConfig(this.env, "task_queue");
    let lastReport = 0;
    const result = await runLeafStep(
      step.data,
      {
        env: this.env,
        userId: task.userId,
        scopes: standing.scopes,
        idempotencyKey: `task:${task.id}`,
        timeoutMs: task.timeoutMs ?? policy.default_timeout_ms,
        progress: (percent, message) => {
          if (Date.now() - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = Date.now();
          void reportProgress(this.env, task, percent, message).catch(() => {});
        },
      },
      signal,
    );
    return result.ok ? result : { ...result, cancelled: signal.aborted && result.code === "cancelled" };
  }

  /** A workflow task starts its run (or finds it started); the run reports the outcome. */
  async #startWorkflow(task: TaskRow, action: Record<string, unknown>): Promise<AttemptResult | null> {
    const started = await startRun(this.env, {
      userId: task.userId,
      scopes: task.scopes,
      apiKeyId: task.apiKeyId,
      workflowId: String(action.workflow_id),
      version: typeof action.version === "number" ? action.version : undefined,
      input: action.input ?? task.parameters,
      taskId: task.id,
      runId: task.workflowRunId ?? newId(),
    }).catch((error: unknown) => error);
    if (!(started instanceof Error)) return null;
    const code = started instanceof AppError ? started.code : "run_not_started";
    return { ok: false, code, message: started.message, retryable: !(started instanceof AppError), costMicros: 0 };
  }

  /**
   * When the queue next has something to do that no event will announce. `lookedAt` is
   * when dispatch chose what was due: a queued task due after that (one a rate limit
   * deferred) needs a wake-up even if its time has passed since, or nothing would start it.
   */
  async #nextTaskTime(lookedAt: number): Promise<number | null> {
    const [row] = await getDb(this.env)
      .select({ at: sql<number | null>`MIN(${tasks.runAfter})` })
      .from(tasks)
      .where(
        and(
          eq(tasks.userId, this.userId),
          // Pending and retrying tasks wake the queue even when already due (promotion may have just missed them);
          // queued ones only when a rate limit deferred them, not while they wait for a slot.
          sql`(${tasks.status} IN ('pending', 'retrying') OR (${tasks.status} = 'queued' AND ${tasks.runAfter} > ${lookedAt}))`,
        ),
      );
    return row?.at ?? null;
  }
}
