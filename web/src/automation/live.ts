/**
 * Live overlays from the hub: the newest status and progress the feed has seen
 * for each task or workflow run, so lists update without polling.
 */
import { useMemo } from "react";
import { useHub } from "../events/hub-context";
import type { Progress } from "./types";

export type LiveState = { status?: string; error?: string | null; progress?: Progress };

const STATUS =
  /^task\.(started|retrying|succeeded|failed|cancelled)$|^workflow\.run_(started|succeeded|failed|cancelled)$/;

/** Per id (task id or run id), the live state; events arrive newest first. */
export function useLiveStates(): Map<string, LiveState> {
  const { snapshot } = useHub();
  return useMemo(() => {
    const states = new Map<string, LiveState>();
    for (const event of [...snapshot.events].reverse()) {
      const data = (event.data ?? {}) as {
        id?: string;
        run_id?: string;
        status?: string;
        percent?: number;
        message?: string | null;
        error?: string | null;
      };
      const key = data.id ?? data.run_id;
      if (!key) continue;
      const state = states.get(key) ?? {};
      const match = STATUS.exec(event.type);
      if (match) {
        // The event carries the status it left the row in (a manual retry's task.retrying says `queued`).
        const status =
          data.status ?? (match[1] === "started" || match[2] === "started" ? "running" : (match[1] ?? match[2]));
        state.status = status;
        state.error = data.error ?? null;
        if (status === "succeeded") state.progress = { percent: 100, message: null };
        if (status === "queued") state.progress = { percent: 0, message: null };
      } else if (event.type === "task.progress" || event.type === "workflow.run_progress") {
        state.progress = { percent: data.percent ?? 0, message: data.message ?? null };
      }
      states.set(key, state);
    }
    return states;
  }, [snapshot.events]);
}

export function withLive<T extends { id: string; status: string; error: string | null; progress: Progress }>(
  item: T,
  live: Map<string, LiveState>,
): T {
  const state = live.get(item.id);
  if (!state) return item;
  return {
    ...item,
    status: state.status ?? item.status,
    error: state.error ?? item.error,
    progress: state.progress ?? item.progress,
  };
}
