/**
 * What graph commands share: the local replica for this server and account (a
 * SQLite file beside the config, or EDGEWISE_REPLICA), this replica's device id,
 * and a sync client whose transport is the CLI's API client (credentials,
 * refresh, rate-limit waits) with its failures sorted into retryable or not.
 */
import { createHash, randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import { SyncClient } from "../../../shared/graph-sync/client";
import { PullResponse, PushResponse } from "../../../shared/graph-sync/protocol";
import { isRetryableStatus, type SyncTransport, TransportError } from "../../../shared/graph-sync/transport";
import type { ApiClient } from "../api-client";
import { type Context, contextFrom } from "../context";
import { ApiError, CliError, notLoggedIn } from "../errors";
import { openSqliteReplica, type SqliteReplica } from "./sqlite-replica";

export type GraphSession = Context & { sync: SyncClient; replica: SqliteReplica; replicaPath: string };

function cliTransport(api: ApiClient): SyncTransport {
  const post = async <T>(path: string, schema: z.ZodType<T>, body: unknown): Promise<T> => {
    try {
      return await api.post(path, schema, body);
    } catch (error) {
      if (error instanceof ApiError) {
        const details =
          typeof error.details === "object" && error.details ? (error.details as Record<string, unknown>) : null;
        const retryAfter = error.retryAfter === undefined ? null : error.retryAfter * 1000;
        throw new TransportError(
          error.message,
          isRetryableStatus(error.status),
          error.status,
          error.code,
          details,
          retryAfter,
        );
      }
      if (error instanceof CliError)
        throw new TransportError(error.message, error.code === "network_error", null, error.code);
      throw error;
    }
  };
  return {
    push: (request) => post("/graph/sync/push", PushResponse, request),
    pull: (request) => post("/graph/sync/pull", PullResponse, request),
  };
}

/** Whose graph this is, known offline: the saved login's user, or a digest of the API key. */
function identity(context: Context): string {
  if (context.apiKey) return `key-${createHash("sha256").update(context.apiKey).digest("hex").slice(0, 16)}`;
  const session = context.store.getSession(context.baseUrl);
  if (!session) throw notLoggedIn(context.baseUrl);
  return session.user.id;
}

export function replicaPath(context: Context, env: NodeJS.ProcessEnv = process.env): string {
  if (env.EDGEWISE_REPLICA) return env.EDGEWISE_REPLICA;
  const server = context.baseUrl.replace(/^https?:\/\//, "").replace(/[^A-Za-z0-9.-]+/g, "_");
  return join(dirname(context.store.path), "graph", `${server}-${identity(context)}.db`);
}

export async function openGraph(command: Command, options: { maxRetries?: number } = {}): Promise<GraphSession> {
  const context = contextFrom(command);
  const path = replicaPath(context);
  const replica = await openSqliteReplica(path);
  let deviceId = replica.getMeta("device_id");
  if (!deviceId) {
    deviceId = `cli-${randomUUID().slice(0, 13)}`;
    replica.setMeta("device_id", deviceId);
  }
  const sync = new SyncClient({ deviceId, replica, transport: cliTransport(context.client), ...options });
  return { ...context, sync, replica, replicaPath: path };
}

/** An entity id as given, or the one entity in the replica whose id starts with it. */
export function resolveEntityId(sync: SyncClient, reference: string): string {
  if (sync.entity(reference)) return reference;
  const matches = sync.entities({ includeDeleted: true }).filter((entity) => entity.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!.id;
  const problem = matches.length ? `${matches.length} entities start with` : "no entity in your replica matches";
  throw new CliError("entity_not_found", `${problem} ${reference}`, 1, [
    "see `edgewise graph ls`; run `edgewise sync` to fetch the latest",
  ]);
}
