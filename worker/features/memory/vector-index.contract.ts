/**
 * The one contract every VectorIndex implementation passes (vector-index.ts).
 * vector-index.test.ts runs it against the local index (VectorShard Durable
 * Objects) and the Vectorize adapter (over a fake of the binding's API).
 * Each test uses fresh owners, so implementations may keep state between tests.
 */
import { describe, expect, it } from "vitest";
import { HashingEmbedder } from "./embedder";
import type { VectorIndex, VectorRecord } from "./vector-index";

const embedder = new HashingEmbedder();
const embed = (text: string) => embedder.embedOne(text);
const owner = () => `owner-${crypto.randomUUID()}`;

function record(id: string, text: string, who: string, category = "general"): VectorRecord {
  return { id, values: embed(text), metadata: { owner: who, category } };
}

export function describeVectorIndexContract(name: string, make: () => VectorIndex) {
  describe(`VectorIndex contract: ${name}`, () => {
    it("finds the nearest vectors first, scored by cosine similarity", async () => {
      const index = make();
      const me = owner();
      await index.upsert([
        record(`${me}-a`, "solar panels on the roof", me),
        record(`${me}-b`, "quarterly tax return deadline", me),
        record(`${me}-c`, "roof solar panel installation costs", me),
      ]);
      const matches = await index.query(embed("solar panels on the roof"), { topK: 3, owners: [me] });
      expect(matches.map((m) => m.id)).toEqual([`${me}-a`, `${me}-c`, `${me}-b`]);
      expect(matches[0]!.score).toBeCloseTo(1, 1);
      const scores = matches.map((m) => m.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });

    it("returns only the owners asked for, merging several", async () => {
      const index = make();
      const [me, other, shared] = [owner(), owner(), owner()];
      await index.upsert([
        record(`${me}-1`, "garden tomatoes", me),
        record(`${other}-1`, "garden tomatoes", other),
        record(`${shared}-1`, "garden tomato varieties", shared),
      ]);
      const mine = await index.query(embed("garden tomatoes"), { topK: 10, owners: [me] });
      expect(mine.map((m) => m.id)).toEqual([`${me}-1`]);
      const both = await index.query(embed("garden tomatoes"), { topK: 10, owners: [me, shared] });
      expect(both.map((m) => m.id).sort()).toEqual([`${me}-1`, `${shared}-1`].sort());
      expect(await index.query(embed("garden tomatoes"), { topK: 10, owners: [owner()] })).toEqual([]);
    });

    it("filters by category", async () => {
      const index = make();
      const me = owner();
      await index.upsert([
        record(`${me}-w`, "meeting notes about the budget", me, "work"),
        record(`${me}-h`, "notes about the family budget", me, "home"),
      ]);
      const work = await index.query(embed("budget notes"), { topK: 10, owners: [me], category: "work" });
      expect(work.map((m) => m.id)).toEqual([`${me}-w`]);
    });

    it("replaces a vector upserted again under the same id", async () => {
      const index = make();
      const me = owner();
      await index.upsert([record(`${me}-x`, "bicycle repair", me), record(`${me}-y`, "sourdough baking", me)]);
      await index.upsert([record(`${me}-x`, "sourdough starter feeding", me)]);
      const matches = await index.query(embed("sourdough starter feeding"), { topK: 10, owners: [me] });
      expect(matches.map((m) => m.id)).toEqual([`${me}-x`, `${me}-y`]);
    });

    it("deletes by id and ignores ids it does not hold", async () => {
      const index = make();
      const me = owner();
      await index.upsert([
        record(`${me}-1`, "alpha", me),
        record(`${me}-2`, "beta", me),
        record(`${me}-3`, "gamma", me),
      ]);
      await index.delete(me, [`${me}-2`, "never-stored"]);
      const left = await index.query(embed("beta"), { topK: 10, owners: [me] });
      expect(left.map((m) => m.id).sort()).toEqual([`${me}-1`, `${me}-3`]);
      await index.delete(me, []);
    });

    it("honours topK, at most 100", async () => {
      const index = make();
      const me = owner();
      await index.upsert(
        Array.from({ length: 120 }, (_, i) => record(`${me}-${i}`, `note number ${i} about cats`, me)),
      );
      expect(await index.query(embed("cats"), { topK: 7, owners: [me] })).toHaveLength(7);
      expect(await index.query(embed("cats"), { topK: 500, owners: [me] })).toHaveLength(100);
    });
  });
}
