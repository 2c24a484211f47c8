/**
 * Text → vector. Production uses Workers AI (`@cf/baai/bge-base-en-v1.5`, 768
 * dimensions, a real semantic model). Workers AI does not run locally, so
 * development and tests use `HashingEmbedder`: a deterministic feature-hashing
 * embedder. It is NOT a language model — it maps words, their character 3- and
 * 4-grams and adjacent word pairs into 256 signed buckets and normalises the
 * result, so texts sharing words, word stems or spellings land close together.
 * It finds "invoice"/"invoices"/"invoicing" and survives typos, but knows no
 * synonyms. Which one runs is chosen by `EMBEDDER` (see `embedderFor`). Both pass
 * one contract suite (embedder.contract.ts); Workers AI runs it over a local
 * stand-in of the binding (test/worker/support/fake-workers-ai.ts).
 */
import { embedderUnavailable, readEmbeddings } from "./workers-ai-output";

export interface Embedder {
  /** Identifies the model; vectors from different embedders never share an index. */
  readonly id: string;
  readonly dimensions: number;
  /** Similarity at or below which a match is noise, not relevance (search drops it). */
  readonly noiseFloor: number;
  /**
   * One unit-length vector per text, in order; the zero vector for text with nothing
   * in it. Throws AppError 503 when the model cannot answer properly.
   */
  embed(texts: string[]): Promise<number[][]>;
}

/** Words that carry no topic, left out of both the keyword query and the hashed features. */
export const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this to was we were what when " +
    "where which who why will with would you your"
  ).split(" "),
);

/** Lowercased words without accents or punctuation, stopwords removed. */
export function words(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((word) => !STOPWORDS.has(word));
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

export class HashingEmbedder implements Embedder {
  readonly id: string;
  /**
   * Texts that share no feature still collide in buckets: their cosine is ~0 with a
   * standard deviation of about 1/√dimensions. Two deviations is the floor.
   */
  readonly noiseFloor: number;

  constructor(readonly dimensions = 256) {
    this.id = `hashing-v1-${dimensions}`;
    this.noiseFloor = 2 / Math.sqrt(dimensions);
  }

  #add(vector: number[], feature: string, weight: number) {
    const hash = fnv1a(feature);
    const sign = (hash & 0x80000000) === 0 ? 1 : -1;
    vector[hash % this.dimensions]! += sign * weight;
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    const tokens = words(text);
    tokens.forEach((word, i) => {
      this.#add(vector, `w:${word}`, 1);
      const padded = `<${word}>`;
      for (const n of [3, 4]) {
        for (let at = 0; at + n <= padded.length; at++) this.#add(vector, `c:${padded.slice(at, at + n)}`, 0.35);
      }
      const next = tokens[i + 1];
      if (next) this.#add(vector, `b:${word} ${next}`, 0.5);
    });
    return normalize(vector);
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }
}

export const WORKERS_AI_MODEL = "@cf/baai/bge-base-en-v1.5";
/** The model's schema allows at most 100 texts per call, each at least one character. */
export const AI_BATCH = 100;

export class WorkersAiEmbedder implements Embedder {
  readonly id = WORKERS_AI_MODEL;
  readonly dimensions = 768;
  /** bge scores unrelated English text well above 0; ranking (and fusion) does the filtering. */
  readonly noiseFloor = 0;

  constructor(private readonly ai: Ai) {}

  async embed(texts: string[]): Promise<number[][]> {
    const out = texts.map(() => new Array<number>(this.dimensions).fill(0));
    // The model refuses empty text; text with nothing in it keeps the zero vector, as with the local embedder.
    const sent = texts.flatMap((text, i) => (text.trim() ? [i] : []));
    for (let start = 0; start < sent.length; start += AI_BATCH) {
      const batch = sent.slice(start, start + AI_BATCH);
      const vectors = await this.#run(batch.map((i) => texts[i]!));
      batch.forEach((textIndex, j) => {
        out[textIndex] = normalize(vectors[j]!);
      });
    }
    return out;
  }

  async #run(text: string[]): Promise<number[][]> {
    let result: unknown;
    try {
      result = await this.ai.run(WORKERS_AI_MODEL, { text });
    } catch (error) {
      throw embedderUnavailable(WORKERS_AI_MODEL, error);
    }
    return readEmbeddings(WORKERS_AI_MODEL, result, text.length, this.dimensions);
  }
}

const local = new HashingEmbedder();

/**
 * `EMBEDDER`: `local` (the hashing embedder), `workers-ai`, or `auto` (the
 * default): local in development, Workers AI elsewhere.
 */
export function embedderFor(env: Env): Embedder {
  const choice =
    env.EMBEDDER && env.EMBEDDER !== "auto" ? env.EMBEDDER : env.ENVIRONMENT === "development" ? "local" : "workers-ai";
  return choice === "workers-ai" ? new WorkersAiEmbedder(env.AI) : local;
}
