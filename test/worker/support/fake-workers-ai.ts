/**
 * A local stand-in for the Workers AI binding (`env.AI`) as the embedding model
 * `@cf/baai/bge-base-en-v1.5` presents it, so WorkersAiEmbedder runs the same
 * contract suite as the local embedder. It follows the model's published schema
 * (cloudflare-docs, src/content/workers-ai-models/bge-base-en-v1.5.json):
 *   input  `{ text: string | string[], pooling?: "mean" | "cls" }`, 1–100 texts, each non-empty;
 *   output `{ shape: [n, 768], data: number[][], pooling }`.
 * Its vectors are not bge's: every word adds a dense pseudo-random direction
 * (seeded by the word) to a constant start vector, and the sum is left unnormalised,
 * so texts sharing words are near and the embedder must normalise. It records
 * every call. Error messages only resemble the real ones (`<code>: <reason>`).
 */
import { WORKERS_AI_MODEL } from "../../../worker/features/memory/embedder";

export type AiCall = { model: string; inputs: unknown };

export type FakeWorkersAiOptions = {
  /** Answer with vectors of this many numbers (another model's), default 768. */
  dimensions?: number;
  /** Replace the answer (or throw) to play a failing or misbehaving service. */
  respond?: (texts: string[]) => unknown;
};

const MAX_TEXTS = 100;

/** mulberry32 seeded by a string hash: the same word always gives the same direction. */
function direction(word: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let i = 0; i < word.length; i++) seed = Math.imul(seed ^ word.charCodeAt(i), 16777619);
  return Array.from({ length: dimensions }, () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

function vectorOf(text: string, dimensions: number): number[] {
  const sum = direction("[CLS]", dimensions).map((v) => v * 0.2);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    direction(word, dimensions).forEach((v, i) => {
      sum[i]! += v;
    });
  }
  return sum;
}

/** The model's input rules, enforced as the service would: a bad request throws. */
function textsOf(model: string, inputs: unknown): string[] {
  if (model !== WORKERS_AI_MODEL) throw new Error(`5007: No such model ${model}`);
  const text = (inputs as { text?: unknown } | null)?.text;
  const texts = typeof text === "string" ? [text] : text;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
    throw new Error("5006: Error: oneOf at '/' not met, required properties missing: text");
  }
  if (texts.length > MAX_TEXTS) throw new Error(`5006: Error: at '/text', must NOT have more than ${MAX_TEXTS} items`);
  if (texts.some((t) => t.length === 0))
    throw new Error("5006: Error: at '/text', must NOT have fewer than 1 characters");
  return texts as string[];
}

export function fakeWorkersAi(options: FakeWorkersAiOptions = {}) {
  const calls: AiCall[] = [];
  const dimensions = options.dimensions ?? 768;
  const binding = {
    async run(model: string, inputs: unknown) {
      calls.push({ model, inputs });
      const texts = textsOf(model, inputs);
      if (options.respond) return options.respond(texts);
      return { shape: [texts.length, dimensions], data: texts.map((t) => vectorOf(t, dimensions)), pooling: "mean" };
    },
  };
  return { ai: binding as unknown as Ai, calls };
}
