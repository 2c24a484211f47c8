/**
 * The vector index contract, and the two implementations behind it: Vectorize in
 * production (metadata filter on `owner`, and on `category`), and the local
 * index — one VectorShard Durable Object per owner — for development, tests and
 * deployments without Vectorize. Both pass vector-index.contract.ts.
 * Chosen by `VECTOR_INDEX` (see `vectorIndexFor`).
 */
import type { VectorShard } from "../../../durable-objects/vector-shard/vector-shard";

/** `owner` is a user id, or `global` for memories every user reads. */
export type VectorMetadata = { owner: string; category: string };
export type VectorRecord = { id: string; values: number[]; metadata: VectorMetadata };
export type VectorMatch = { id: string; score: number };
export type VectorQuery = { topK: number; owners: string[]; category?: string | undefined };

export interface VectorIndex {
  /** Inserts or replaces by id. */
  upsert(records: VectorRecord[]): Promise<void>;
  /** The nearest vectors by cosine similarity among the given owners' (and category's), best first. */
  query(vector: number[], query: VectorQuery): Promise<VectorMatch[]>;
  /** Removes vectors by id; `owner` is the one they were stored under. Unknown ids are ignored. */
  delete(owner: string, ids: string[]): Promise<void>;
}

/** Vectorize's limit on topK when no values or metadata are returned. */
export const MAX_TOP_K = 100;
const VECTORIZE_BATCH = 1000;

/**
 * Vectorize. The index needs metadata indexes on `owner` and `category`:
 * `wrangler vectorize create-metadata-index edgewise-memory --property-name owner --type string` (and category).
 */
export class VectorizeVectorIndex implements VectorIndex {
  constructor(private readonly index: VectorizeIndex) {}

  async upsert(records: VectorRecord[]) {
    for (let i = 0; i < records.length; i += VECTORIZE_BATCH) {
      await this.index.upsert(
        records.slice(i, i + VECTORIZE_BATCH).map((r) => ({ ...r, metadata: { ...r.metadata } })),
      );
    }
  }

  async query(vector: number[], query: VectorQuery) {
    const filter: VectorizeVectorMetadataFilter = { owner: { $in: query.owners } };
    if (query.category) filter.category = { $eq: query.category };
    const result = await this.index.query(vector, {
      topK: Math.min(query.topK, MAX_TOP_K),
      filter,
      returnValues: false,
      returnMetadata: "none",
    });
    return result.matches.map((match) => ({ id: match.id, score: match.score }));
  }

  async delete(_owner: string, ids: string[]) {
    for (let i = 0; i < ids.length; i += VECTORIZE_BATCH)
      await this.index.deleteByIds(ids.slice(i, i + VECTORIZE_BATCH));
  }
}

/** The local index: each owner's vectors in their own VectorShard Durable Object, queried in parallel. */
export class ShardedVectorIndex implements VectorIndex {
  constructor(private readonly namespace: DurableObjectNamespace<VectorShard>) {}

  #shard(owner: string) {
    return this.namespace.get(this.namespace.idFromName(`owner:${owner}`));
  }

  async upsert(records: VectorRecord[]) {
    const byOwner = new Map<string, VectorRecord[]>();
    for (const record of records)
      byOwner.set(record.metadata.owner, [...(byOwner.get(record.metadata.owner) ?? []), record]);
    await Promise.all([...byOwner].map(([owner, batch]) => this.#shard(owner).upsert(batch)));
  }

  async query(vector: number[], query: VectorQuery) {
    const topK = Math.min(query.topK, MAX_TOP_K);
    const perShard = await Promise.all(
      [...new Set(query.owners)].map((owner) => this.#shard(owner).query(vector, topK, query.category ?? null)),
    );
    return perShard
      .flat()
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
  }

  async delete(owner: string, ids: string[]) {
    if (ids.length) await this.#shard(owner).remove(ids);
  }
}

/**
 * `VECTOR_INDEX`: `local`, `vectorize`, or `auto` (the default): Vectorize when
 * the VECTORIZE binding exists outside development, the local index otherwise.
 */
export function vectorIndexFor(env: Env): VectorIndex {
  const vectorize: VectorizeIndex | undefined = env.VECTORIZE;
  const choice =
    env.VECTOR_INDEX && env.VECTOR_INDEX !== "auto"
      ? env.VECTOR_INDEX
      : vectorize && env.ENVIRONMENT !== "development"
        ? "vectorize"
        : "local";
  if (choice === "vectorize") {
    if (!vectorize) throw new Error("VECTOR_INDEX is vectorize but no VECTORIZE binding is configured");
    return new VectorizeVectorIndex(vectorize);
  }
  return new ShardedVectorIndex(env.VECTOR_SHARD);
}
