/**
 * The Inbetweenies state machine (docs/graph-sync.md), one round per request:
 * collecting changes → preparing request → sending → waiting (→ retrying with
 * backoff → sending, or failed after the last retry) → processing the response →
 * checking conflicts (→ resolving: merges the authority settled; → manual
 * resolution: conflicts left for a person) → applying changes → updating the
 * vector clock → another round while the outbox or the feed has more → complete.
 * A pending manual conflict does not stop the replica from converging: it is
 * reported (and offered to `onManualConflicts`) and stays pending until resolved.
 */
import type { HlcClock } from "./hlc";
import {
  type Change,
  type ConflictState,
  DEFAULT_FEED_LIMIT,
  type FeedItem,
  PROTOCOL_VERSIONS,
  type PullResponse,
  type PushResponse,
} from "./protocol";
import type { Rejected, Replica } from "./replica";
import { backoffDelay, type SyncTransport, TransportError } from "./transport";

export type SyncState =
  | "idle"
  | "collecting_changes"
  | "preparing_request"
  | "sending_request"
  | "waiting_response"
  | "retrying_request"
  | "processing_response"
  | "checking_conflicts"
  | "resolving_conflicts"
  | "manual_resolution"
  | "applying_changes"
  | "updating_vector_clock"
  | "sync_complete"
  | "sync_failed";

export type SyncProgress = { pushed: number; applied: number; outbox: number; remaining: number };

export type RunOptions = {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  batchSize: number;
  /** Push bodies stay under this many bytes (the API refuses bodies over 1 MiB). */
  maxBatchBytes: number;
  feedLimit: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onProgress?: (progress: SyncProgress) => void;
  onManualConflicts?: (conflicts: ConflictState[]) => void | Promise<void>;
};

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  maxRetries: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  batchSize: 200,
  maxBatchBytes: 900_000,
  feedLimit: DEFAULT_FEED_LIMIT,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export type SyncReport = {
  ok: boolean;
  rounds: number;
  pushed: number;
  applied: number;
  merged: number;
  conflicts: number;
  retries: number;
  rejected: Rejected[];
  pendingConflicts: number;
  error: { code: string; message: string } | null;
};

export type LoopContext = {
  deviceId: string;
  replica: Replica;
  transport: SyncTransport;
  clock: HlcClock;
  setState: (state: SyncState, detail?: unknown) => void;
};

const MAX_ROUNDS = 5_000;

export async function runSync(loop: LoopContext, overrides: Partial<RunOptions>): Promise<SyncReport> {
  const options = { ...DEFAULT_RUN_OPTIONS, ...overrides };
  const report: SyncReport = {
    ok: false,
    rounds: 0,
    pushed: 0,
    applied: 0,
    merged: 0,
    conflicts: 0,
    retries: 0,
    rejected: [],
    pendingConflicts: 0,
    error: null,
  };
  try {
    while (report.rounds++ < MAX_ROUNDS) {
      loop.setState("collecting_changes");
      const batch = collect(loop.replica, options);
      loop.setState("preparing_request", { changes: batch.length });
      const response = await exchange(loop, options, batch, report);
      if (response === "rejected") continue;
      await processResponse(loop, options, response, report);
      if (loop.replica.outboxSize() === 0 && !response.has_more) break;
    }
    report.ok = true;
    loop.setState("sync_complete", report);
  } catch (error) {
    report.error = {
      code: error instanceof TransportError ? (error.code ?? "network_error") : "sync_error",
      message: error instanceof Error ? error.message : String(error),
    };
    loop.setState("sync_failed", report.error);
  } finally {
    loop.setState("idle");
  }
  return report;
}

/** The oldest pending changes, as many as fit one request. */
function collect(replica: Replica, options: RunOptions): Change[] {
  const batch: Change[] = [];
  let bytes = 0;
  for (const change of replica.outbox(options.batchSize)) {
    bytes += JSON.stringify(change).length;
    if (batch.length > 0 && bytes > options.maxBatchBytes) break;
    batch.push(change);
  }
  return batch;
}

function knownClock(loop: LoopContext): Record<string, number> {
  const server = JSON.parse(loop.replica.getMeta("server_clock") ?? "{}") as Record<string, number>;
  return { ...server, [loop.deviceId]: Number(loop.replica.getMeta("counter") ?? "0") };
}

/** Sends one request, retrying with backoff; a change the authority refuses is set aside (`rejected`). */
async function exchange(
  loop: LoopContext,
  options: RunOptions,
  batch: Change[],
  report: SyncReport,
): Promise<PushResponse | PullResponse | "rejected"> {
  const base = {
    protocol_versions: [...PROTOCOL_VERSIONS],
    device_id: loop.deviceId,
    cursor: Number(loop.replica.getMeta("cursor") ?? "0"),
    limit: options.feedLimit,
  };
  for (let attempt = 0; ; attempt++) {
    loop.setState("sending_request", { attempt });
    const pending = batch.length
      ? loop.transport.push({ ...base, clock: knownClock(loop), changes: batch })
      : loop.transport.pull(base);
    loop.setState("waiting_response");
    try {
      return await pending;
    } catch (caught) {
      // Only a transport's own "try again" is retried; anything else (a bad answer, a bug) fails the sync.
      if (!(caught instanceof TransportError)) throw caught;
      const error = caught;
      if (!error.retryable) {
        if (setAside(loop, batch, error, report)) return "rejected";
        throw error;
      }
      if (attempt >= options.maxRetries) throw error;
      const delay = backoffDelay(
        attempt,
        { baseMs: options.baseDelayMs, maxMs: options.maxDelayMs, random: options.random },
        error.retryAfterMs,
      );
      report.retries++;
      loop.setState("retrying_request", { attempt: attempt + 1, delay_ms: delay, error: error.message });
      await options.sleep(delay);
    }
  }
}

/** A batch refused because of one change: that change goes to the rejected list (kept, reported), the rest retry. */
function setAside(loop: LoopContext, batch: Change[], error: TransportError, report: SyncReport): boolean {
  const index = error.details?.index;
  const change = typeof index === "number" ? batch[index] : undefined;
  if (!change) return false;
  const entry: Rejected = { change, code: error.code ?? "rejected", message: error.message, at: Date.now() };
  loop.replica.transaction(() => loop.replica.reject(entry));
  report.rejected.push(entry);
  return true;
}

async function processResponse(
  loop: LoopContext,
  options: RunOptions,
  response: PushResponse | PullResponse,
  report: SyncReport,
) {
  const { replica } = loop;
  loop.setState("processing_response");
  const results = "results" in response ? response.results : [];
  replica.transaction(() => {
    replica.acknowledge(results.map((result) => result.client_change_id));
    const integrated = response.clock[loop.deviceId];
    if (integrated !== undefined) replica.acknowledgeUpTo(integrated);
  });
  report.pushed += results.length;

  loop.setState("checking_conflicts");
  const merged = results.filter((r) => r.status === "merged" || r.first_status === "merged").length;
  const manual = response.items.flatMap((item) =>
    item.kind === "conflict" && item.conflict.resolution_status === "pending" ? [item.conflict] : [],
  );
  report.merged += merged;
  report.conflicts += results.filter((r) => r.status === "conflict").length;
  if (merged) loop.setState("resolving_conflicts", { merged });
  if (manual.length) {
    loop.setState("manual_resolution", manual);
    await options.onManualConflicts?.(manual);
  }

  loop.setState("applying_changes", { items: response.items.length });
  replica.transaction(() => {
    for (const item of response.items) if (applyItem(loop, item)) report.applied++;
  });

  loop.setState("updating_vector_clock");
  replica.transaction(() => {
    const cursor = Number(replica.getMeta("cursor") ?? "0");
    // A late answer to an older request covers (since, cursor]; it can only move the cursor forward.
    if (response.since <= cursor) replica.setMeta("cursor", String(Math.max(cursor, response.cursor)));
    replica.setMeta("server_clock", JSON.stringify(response.clock));
    replica.setMeta("hlc", loop.clock.last);
  });
  report.pendingConflicts = response.pending_conflicts;
  options.onProgress?.({
    pushed: report.pushed,
    applied: report.applied,
    outbox: replica.outboxSize(),
    remaining: response.has_more ? Math.max(0, (response.clock.server ?? 0) - response.cursor) : 0,
  });
}

/**
 * Stores a feed item unless the replica already has that row at the same or a
 * later position, so items may arrive late, twice or out of order (live frames).
 */
export function applyItem(loop: LoopContext, item: FeedItem): boolean {
  const { replica, clock } = loop;
  switch (item.kind) {
    case "entity": {
      if ((replica.getEntity(item.entity.id)?.seq ?? -1) >= item.seq) return false;
      clock.receive(item.entity.hlc);
      replica.putEntity(item.entity, item.seq);
      return true;
    }
    case "relationship": {
      if ((replica.getRelationship(item.relationship.id)?.seq ?? -1) >= item.seq) return false;
      clock.receive(item.relationship.hlc);
      replica.putRelationship(item.relationship, item.seq);
      return true;
    }
    case "conflict": {
      if ((replica.getConflict(item.conflict.id)?.seq ?? -1) >= item.seq) return false;
      replica.putConflict(item.conflict, item.seq);
      return true;
    }
    case "attachment":
      replica.putAttachment(item.attachment, item.seq);
      return true;
    default:
      return false;
  }
}
