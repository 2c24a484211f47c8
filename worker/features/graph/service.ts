/**
 * The Worker's side of the graph: the caller's GraphSync Durable Object, and the
 * turn of its `{ok:false}` outcomes into AppErrors (the error envelope). Routes
 * and MCP tools both go through here.
 */
import type { GraphSync } from "../../../durable-objects/graph-sync/graph-sync";
import type { Outcome } from "../../../durable-objects/graph-sync/outcome";
import { AppError } from "../../errors";

type RpcMethods = "fetch" | "alarm" | "webSocketMessage" | "webSocketClose" | "webSocketError";

/**
 * GraphSync's RPC methods as the Worker calls them. Workers' RPC typings turn any
 * value containing `unknown` (entity content is arbitrary JSON) into `never`, so the
 * stub is typed from the class itself; the values really are plain JSON and cross
 * RPC as they are.
 */
export type GraphApi = {
  [K in Exclude<keyof GraphSync, RpcMethods | "ctx" | "env">]: GraphSync[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
} & Pick<GraphSync, "fetch">;

/** The user's graph authority. One Durable Object per user keeps every user's graph apart. */
export function graphOf(env: Env, userId: string): GraphApi {
  return env.GRAPH_SYNC.getByName(userId) as unknown as GraphApi;
}

/** The value of a successful outcome; an AppError with the outcome's status, code and details otherwise. */
export async function unwrap<T>(pending: Promise<Outcome<T>> | Outcome<T>): Promise<T> {
  const outcome = (await pending) as Outcome<T>;
  if (outcome.ok) return outcome.value;
  throw new AppError(outcome.status, outcome.code, outcome.message, outcome.details ?? undefined);
}

/** R2 key of an attachment's bytes: per user, per entity. */
export function attachmentKey(userId: string, entityId: string, attachmentId: string): string {
  return `graph/${userId}/${entityId}/${attachmentId}`;
}
