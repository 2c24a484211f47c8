/**
 * The step-executor interface: what the workflow engine and the task queue hand a
 * leaf step (its templates already resolved), and what comes back. Executors never
 * throw for the step's own failures; `retryable` says whether another attempt may help.
 */
import type { Scope } from "../../../auth/scopes";
import type { LeafStep } from "../definition";

export type StepRunContext = {
  env: Env;
  userId: string;
  scopes: ReadonlySet<Scope>;
  /** The same on every attempt of this step: sent as `Idempotency-Key` and as the tool call id. */
  idempotencyKey: string;
  /** Aborted on cancellation or when the step's timeout passes. */
  signal: AbortSignal;
  timeoutMs: number;
  progress(percent: number, message: string | null): void;
};

export type StepFailure = {
  ok: false;
  code: string;
  message: string;
  retryable: boolean;
  costMicros: number;
  output?: unknown;
};
export type StepResult = { ok: true; output: unknown; costMicros: number } | StepFailure;

export type StepExecutor<S extends LeafStep = LeafStep> = (step: S, ctx: StepRunContext) => Promise<StepResult>;

export function failure(
  code: string,
  message: string,
  retryable: boolean,
  extra: Partial<StepFailure> = {},
): StepFailure {
  return { ok: false, code, message, retryable, costMicros: 0, ...extra };
}
