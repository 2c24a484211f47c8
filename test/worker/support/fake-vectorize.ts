/**
 * An in-memory stand-in for the Vectorize binding's API (upsert, query with
 * `$eq`/`$in` metadata filters, deleteByIds), so the Vectorize adapter runs the
 * same contract suite as the local index. It mirrors the binding's shape, not
 * our own code: cosine similarity, topK, filters on metadata.
 */
type Stored = { id: string; values: number[]; metadata: Record<string, VectorizeVectorMetadata> };

function cosine(a: number[], b: number[]) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
}

function passes(metadata: Record<string, unknown>, filter: VectorizeVectorMetadataFilter | undefined) {
  return Object.entries(filter ?? {}).every(([key, condition]) => {
    const value = metadata[key];
    if (condition && typeof condition === "object" && "$in" in condition) {
      return (condition.$in as unknown[]).includes(value);
    }
    if (condition && typeof condition === "object" && "$eq" in condition) return condition.$eq === value;
    return condition === value;
  });
}

export function fakeVectorize(): VectorizeIndex {
  const vectors = new Map<string, Stored>();
  const mutation = (ids: string[]) => ({ ids, count: ids.length }) as unknown as VectorizeVectorMutation;
  const fake = {
    async upsert(records: VectorizeVector[]) {
      for (const record of records) {
        vectors.set(record.id, {
          id: record.id,
          values: [...(record.values as number[])],
          metadata: (record.metadata ?? {}) as Stored["metadata"],
        });
      }
      return mutation(records.map((r) => r.id));
    },
    async query(vector: number[], options: VectorizeQueryOptions = {}) {
      const topK = options.topK ?? 5;
      if (topK > 100) throw new Error("VECTOR_QUERY_ERROR: topK must be at most 100");
      const matches = [...vectors.values()]
        .filter((stored) => passes(stored.metadata, options.filter))
        .map((stored) => ({ id: stored.id, score: cosine(vector, stored.values) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK);
      return { matches, count: matches.length } as VectorizeMatches;
    },
    async deleteByIds(ids: string[]) {
      for (const id of ids) vectors.delete(id);
      return mutation(ids);
    },
  };
  return fake as unknown as VectorizeIndex;
}
