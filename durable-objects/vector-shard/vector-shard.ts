/**
 * VectorShard: the local vector index for one owner (a user, or `global`),
 * behind the same contract as Vectorize (worker/features/memory/vector-index.ts).
 * Vectors are kept unit-length and quantised to int8 (one scale per vector), in
 * SQLite for durability and in one contiguous Int8Array in memory for search: a
 * query is an exact scan — 100k vectors of 256 dimensions is 25 MB and one pass.
 */
import { DurableObject } from "cloudflare:workers";

export type ShardRecord = { id: string; values: number[]; metadata: { owner: string; category: string } };
export type ShardMatch = { id: string; score: number };

const INITIAL_CAPACITY = 1024;

type Row = { id: string; category: string; scale: number; q: ArrayBuffer };

function quantise(values: number[]): { q: Int8Array; scale: number } {
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  const max = values.reduce((m, v) => Math.max(m, Math.abs(v / norm)), 0) || 1;
  const q = Int8Array.from(values, (v) => Math.round(((v / norm) * 127) / max));
  return { q, scale: max / 127 };
}

export class VectorShard extends DurableObject<Env> {
  #dims = 0;
  #count = 0;
  #ids: string[] = [];
  #categories: string[] = [];
  #scales = new Float32Array(INITIAL_CAPACITY);
  #matrix = new Int8Array(0);
  #slots = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, category TEXT NOT NULL, scale REAL NOT NULL, q BLOB NOT NULL)",
      );
      for (const row of ctx.storage.sql.exec<Row>("SELECT id, category, scale, q FROM vectors")) {
        this.#place(row.id, row.category, new Int8Array(row.q), row.scale);
      }
    });
  }

  /** Inserts or replaces vectors; all must have the dimensions of those already stored. */
  async upsert(records: ShardRecord[]): Promise<void> {
    for (const record of records) {
      const { q, scale } = quantise(record.values);
      if (this.#dims && q.length !== this.#dims) {
        throw new Error(`Vector ${record.id} has ${q.length} dimensions; this index holds ${this.#dims}`);
      }
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO vectors (id, category, scale, q) VALUES (?, ?, ?, ?)",
        record.id,
        record.metadata.category,
        scale,
        q,
      );
      this.#place(record.id, record.metadata.category, q, scale);
    }
  }

  async query(vector: number[], topK: number, category: string | null): Promise<ShardMatch[]> {
    if (!this.#count || vector.length !== this.#dims) return [];
    const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
    const query = Float32Array.from(vector, (v) => v / norm);
    const dims = this.#dims;
    const best: ShardMatch[] = [];
    let floor = Number.NEGATIVE_INFINITY;
    for (let slot = 0; slot < this.#count; slot++) {
      if (category !== null && this.#categories[slot] !== category) continue;
      let dot = 0;
      const base = slot * dims;
      for (let i = 0; i < dims; i++) dot += this.#matrix[base + i]! * query[i]!;
      const score = dot * this.#scales[slot]!;
      if (best.length < topK || score > floor) {
        best.push({ id: this.#ids[slot]!, score });
        if (best.length > topK) {
          best.sort((a, b) => b.score - a.score);
          best.length = topK;
        }
        floor = best.length === topK ? Math.min(...best.map((match) => match.score)) : Number.NEGATIVE_INFINITY;
      }
    }
    return best.sort((a, b) => b.score - a.score);
  }

  async remove(ids: string[]): Promise<void> {
    for (const id of ids) {
      const slot = this.#slots.get(id);
      if (slot === undefined) continue;
      this.ctx.storage.sql.exec("DELETE FROM vectors WHERE id = ?", id);
      const last = this.#count - 1;
      if (slot !== last) {
        const dims = this.#dims;
        this.#matrix.copyWithin(slot * dims, last * dims, (last + 1) * dims);
        this.#scales[slot] = this.#scales[last]!;
        this.#ids[slot] = this.#ids[last]!;
        this.#categories[slot] = this.#categories[last]!;
        this.#slots.set(this.#ids[slot]!, slot);
      }
      this.#ids.length = last;
      this.#categories.length = last;
      this.#slots.delete(id);
      this.#count = last;
    }
  }

  async size(): Promise<number> {
    return this.#count;
  }

  #place(id: string, category: string, q: Int8Array, scale: number) {
    if (!this.#dims) this.#dims = q.length;
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#count++;
      this.#grow(this.#count);
      this.#slots.set(id, slot);
    }
    this.#matrix.set(q, slot * this.#dims);
    this.#scales[slot] = scale;
    this.#ids[slot] = id;
    this.#categories[slot] = category;
  }

  #grow(needed: number) {
    if (this.#matrix.length >= needed * this.#dims && this.#scales.length >= needed) return;
    const capacity = Math.max(INITIAL_CAPACITY, needed * 2);
    const matrix = new Int8Array(capacity * this.#dims);
    matrix.set(this.#matrix);
    this.#matrix = matrix;
    const scales = new Float32Array(capacity);
    scales.set(this.#scales);
    this.#scales = scales;
  }
}
