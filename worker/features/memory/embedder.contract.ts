/**
 * The one contract every Embedder passes (embedder.ts). embedder.test.ts runs it
 * against the local hashing embedder and against WorkersAiEmbedder over a local
 * stand-in of the Workers AI binding. It checks what search and the vector index
 * rely on: shape, order, unit length, determinism, batching past the model's
 * limit, empty text, and that related text lands nearer than unrelated text.
 */
import { describe, expect, it } from "vitest";
import type { Embedder } from "./embedder";

const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0) / (norm(a) * norm(b) || 1);

function expectSameVector(actual: number[] | undefined, expected: number[] | undefined) {
  expect(actual).toHaveLength(expected?.length ?? -1);
  expect(cosine(actual!, expected!)).toBeCloseTo(1, 6);
}

export function describeEmbedderContract(name: string, make: () => Embedder) {
  describe(`Embedder contract: ${name}`, () => {
    it("names itself and its dimensions, with a noise floor below any real match", () => {
      const embedder = make();
      expect(embedder.id).toMatch(/\S/);
      expect(Number.isInteger(embedder.dimensions) && embedder.dimensions > 0).toBe(true);
      expect(embedder.noiseFloor).toBeGreaterThanOrEqual(0);
      expect(embedder.noiseFloor).toBeLessThan(0.5);
    });

    it("gives one unit-length vector of its dimensions per text, in order", async () => {
      const embedder = make();
      const texts = ["solar panels on the roof", "quarterly tax return deadline", "sourdough starter feeding"];
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(3);
      for (const vector of vectors) {
        expect(vector).toHaveLength(embedder.dimensions);
        expect(norm(vector)).toBeCloseTo(1, 6);
      }
      for (const [i, text] of texts.entries()) expectSameVector(vectors[i], (await embedder.embed([text]))[0]);
    });

    it("is deterministic", async () => {
      const embedder = make();
      const [first] = await embedder.embed(["the lighthouse keeper's logbook"]);
      const [again] = await make().embed(["the lighthouse keeper's logbook"]);
      expectSameVector(again, first);
    });

    it("places related text nearer than unrelated text", async () => {
      const [query, related, unrelated] = await make().embed([
        "solar panels on the roof",
        "roof solar panel installation costs",
        "quarterly tax return deadline",
      ]);
      expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.1);
    });

    it("embeds more texts than one model call takes (250), keeping their order", async () => {
      const embedder = make();
      const texts = Array.from({ length: 250 }, (_, i) => `note ${i} about topic${i % 7} and item${i}`);
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(250);
      for (const i of [0, 99, 100, 101, 199, 200, 249]) {
        expectSameVector(vectors[i], (await embedder.embed([texts[i]!]))[0]);
      }
    });

    it("gives no vectors for no texts, and the zero vector for text with nothing in it", async () => {
      const embedder = make();
      expect(await embedder.embed([])).toEqual([]);
      const [empty, blank, word] = await embedder.embed(["", "  \n ", "garden"]);
      expect(empty).toEqual(new Array(embedder.dimensions).fill(0));
      expect(blank).toEqual(new Array(embedder.dimensions).fill(0));
      expect(norm(word!)).toBeCloseTo(1, 6);
    });
  });
}
