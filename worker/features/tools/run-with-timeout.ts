/**
 * Runs a tool under a deadline: the run gets a signal that aborts at the deadline
 * or when the caller aborts, and the race does not wait for a run that ignores
 * its signal.
 */
export type RunResult =
  | { kind: "done"; value: unknown }
  | { kind: "error"; error: unknown }
  | { kind: "timeout" }
  | { kind: "aborted" };

export async function runWithTimeout(
  run: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<RunResult> {
  if (outer?.aborted) return { kind: "aborted" };
  const controller = new AbortController();
  let settle: (result: RunResult) => void = () => undefined;
  const stopped = new Promise<RunResult>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => {
    settle({ kind: "timeout" });
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const onAbort = () => {
    settle({ kind: "aborted" });
    controller.abort(outer?.reason);
  };
  outer?.addEventListener("abort", onAbort, { once: true });
  const running = (async (): Promise<RunResult> => {
    try {
      return { kind: "done", value: await run(controller.signal) };
    } catch (error) {
      return { kind: "error", error };
    }
  })();
  try {
    return await Promise.race([stopped, running]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}
