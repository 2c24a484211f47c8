/**
 * The workflow interpreter, as a pure function: given the definition, every
 * step's persisted state and the clock, it decides what happens next — which leaf
 * steps start now, which composite steps change state (branch taken, delay armed,
 * approval requested, group finished), when to wake up, and the run's outcome.
 * The engine persists the effects before acting on them, so replaying the plan
 * after a crash reaches the same decisions.
 */
import type { StepStatus } from "../../../db/schema";
import { evaluateCondition } from "./condition";
import { type ApprovalStep, childSequences, type LeafStep, type Step, type WorkflowDefinition } from "./definition";
import type { TemplateContext } from "./template";

export type StepState = {
  status: StepStatus;
  attempt: number;
  nextAttemptAt: number | null;
  wakeAt: number | null;
  output: unknown;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
};

export type Effect = { stepId: string; patch: Partial<StepState>; log?: string };

export type Plan = {
  effects: Effect[];
  start: LeafStep[];
  approvals: ApprovalStep[];
  wakeAt: number | null;
  outcome: "running" | "waiting" | "succeeded" | "failed";
  failedStep: string | null;
};

type Visit = "done" | "blocked" | "failed";

const LEAF_KINDS = new Set(["tool", "agent", "http", "sleep"]);
export const isLeaf = (step: Step): step is LeafStep => LEAF_KINDS.has(step.kind);
const TERMINAL = new Set<StepStatus>(["succeeded", "failed", "skipped", "cancelled"]);
export const isTerminalStep = (status: StepStatus) => TERMINAL.has(status);

export function emptyState(): StepState {
  return {
    status: "pending",
    attempt: 0,
    nextAttemptAt: null,
    wakeAt: null,
    output: null,
    error: null,
    startedAt: null,
    finishedAt: null,
  };
}

/** The template context: run input and every step's status and output so far. */
export function runContext(base: TemplateContext, states: Map<string, StepState>): TemplateContext {
  const steps: Record<string, { status: StepStatus; output: unknown; error: string | null }> = {};
  for (const [id, state] of states) steps[id] = { status: state.status, output: state.output, error: state.error };
  return { ...base, steps };
}

class Planner {
  readonly plan: Plan = { effects: [], start: [], approvals: [], wakeAt: null, outcome: "running", failedStep: null };

  constructor(
    private readonly states: Map<string, StepState>,
    private readonly base: TemplateContext,
    private readonly now: number,
  ) {}

  state(id: string): StepState {
    let state = this.states.get(id);
    if (!state) {
      state = emptyState();
      this.states.set(id, state);
    }
    return state;
  }

  apply(stepId: string, patch: Partial<StepState>, log?: string) {
    Object.assign(this.state(stepId), patch);
    this.plan.effects.push({ stepId, patch, log });
  }

  wake(at: number | null) {
    if (at !== null && (this.plan.wakeAt === null || at < this.plan.wakeAt)) this.plan.wakeAt = at;
  }

  sequence(steps: Step[]): Visit {
    for (const step of steps) {
      const result = this.visit(step);
      if (result !== "done") return result;
    }
    return "done";
  }

  visit(step: Step): Visit {
    const state = this.state(step.id);
    if (state.status === "succeeded" || state.status === "skipped") return "done";
    if (state.status === "failed") return "continue_on_error" in step && step.continue_on_error ? "done" : "failed";
    if (state.status === "cancelled") return "failed";
    if (isLeaf(step)) return this.leaf(step, state);
    switch (step.kind) {
      case "delay":
        return this.delay(step.id, step.ms, state);
      case "approval":
        return this.approval(step, state);
      case "branch":
        return this.branch(step, state);
      case "parallel":
        return this.parallel(step, state);
    }
  }

  leaf(step: LeafStep, state: StepState): Visit {
    if (state.status === "running") return "blocked";
    if (state.nextAttemptAt !== null && state.nextAttemptAt > this.now) {
      this.wake(state.nextAttemptAt);
      return "blocked";
    }
    this.plan.start.push(step);
    return "blocked";
  }

  delay(id: string, ms: number, state: StepState): Visit {
    if (state.wakeAt === null) {
      this.apply(id, { status: "waiting", wakeAt: this.now + ms, startedAt: this.now }, `waiting ${ms} ms`);
    }
    const wakeAt = this.state(id).wakeAt ?? this.now;
    if (wakeAt <= this.now) {
      this.apply(id, {
        status: "succeeded",
        finishedAt: this.now,
        output: { waited_ms: this.now - (state.startedAt ?? this.now) },
      });
      return "done";
    }
    this.wake(wakeAt);
    return "blocked";
  }

  approval(step: ApprovalStep, state: StepState): Visit {
    if (state.status === "pending") {
      const wakeAt = step.timeout_ms ? this.now + step.timeout_ms : null;
      this.apply(step.id, { status: "waiting", startedAt: this.now, wakeAt }, "waiting for approval");
      this.plan.approvals.push(step);
    }
    const wakeAt = this.state(step.id).wakeAt;
    if (wakeAt !== null && wakeAt <= this.now) {
      this.apply(step.id, {
        status: "failed",
        finishedAt: this.now,
        error: "No decision before the approval timed out",
      });
      return "failed";
    }
    this.wake(wakeAt);
    return "blocked";
  }

  branch(step: Extract<Step, { kind: "branch" }>, state: StepState): Visit {
    if (state.status === "pending") {
      const taken = evaluateCondition(step.if, runContext(this.base, this.states)) ? "do" : "else";
      this.apply(
        step.id,
        { status: "running", startedAt: this.now, output: { branch: taken } },
        `took the ${taken} branch`,
      );
      for (const { id } of flattenIds(taken === "do" ? step.else : step.do)) this.apply(id, { status: "skipped" });
    }
    const taken = (this.state(step.id).output as { branch?: string } | null)?.branch === "else" ? step.else : step.do;
    return this.finishComposite(step.id, this.sequence(taken));
  }

  parallel(step: Extract<Step, { kind: "parallel" }>, state: StepState): Visit {
    if (state.status === "pending") this.apply(step.id, { status: "running", startedAt: this.now });
    const results = step.branches.map((branch) => this.sequence(branch));
    const combined: Visit = results.includes("failed")
      ? "failed"
      : results.every((r) => r === "done")
        ? "done"
        : "blocked";
    return this.finishComposite(step.id, combined);
  }

  finishComposite(id: string, result: Visit): Visit {
    if (result === "done") this.apply(id, { status: "succeeded", finishedAt: this.now });
    if (result === "failed") this.apply(id, { status: "failed", finishedAt: this.now, error: "A step inside failed" });
    return result;
  }
}

function flattenIds(steps: Step[]): Array<{ id: string }> {
  return steps.flatMap((step) => [{ id: step.id }, ...childSequences(step).flatMap(flattenIds)]);
}

/** Decides the next moves of a run. `states` is updated in place with the effects. */
export function planRun(
  definition: WorkflowDefinition,
  states: Map<string, StepState>,
  base: TemplateContext,
  now: number,
): Plan {
  const planner = new Planner(states, base, now);
  const result = planner.sequence(definition.steps);
  const { plan } = planner;
  if (result === "done") plan.outcome = "succeeded";
  else if (result === "failed") {
    plan.outcome = "failed";
    plan.failedStep = [...states].find(([, s]) => s.status === "failed")?.[0] ?? null;
  } else {
    const busy = plan.start.length > 0 || [...states.values()].some((s) => s.status === "running" && s.attempt > 0);
    plan.outcome = busy ? "running" : "waiting";
  }
  return plan;
}
