/**
 * Runs the one VectorIndex contract against both implementations: the local
 * index (real VectorShard Durable Objects) and the Vectorize adapter (over an
 * in-memory fake of the binding's API, since Vectorize does not run locally).
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { fakeVectorize } from "../../../test/worker/support/fake-vectorize";
import { HashingEmbedder } from "./embedder";
import { ShardedVectorIndex, VectorizeVectorIndex, vectorIndexFor } from "./vector-index";
import { describeVectorIndexContract } from "./vector-index.contract";

describeVectorIndexContract("local (VectorShard)", () => new ShardedVectorIndex(env.VECTOR_SHARD));

const fake = fakeVectorize();
describeVectorIndexContract("Vectorize adapter", () => new VectorizeVectorIndex(fake));

it("development (ENVIRONMENT=development, VECTOR_INDEX=auto) uses the local index", () => {
  expect(vectorIndexFor(env)).toBeInstanceOf(ShardedVectorIndex);
  expect(vectorIndexFor({ ...env, ENVIRONMENT: "production" })).toBeInstanceOf(VectorizeVectorIndex);
  expect(vectorIndexFor({ ...env, ENVIRONMENT: "production", VECTOR_INDEX: "local" })).toBeInstanceOf(
    ShardedVectorIndex,
  );
});

it("the local shard survives a restart: vectors are reloaded from its SQLite storage", async () => {
  const index = new ShardedVectorIndex(env.VECTOR_SHARD);
  const owner = `owner-${crypto.randomUUID()}`;
  const embed = (text: string) => new HashingEmbedder().embedOne(text);
  await index.upsert([{ id: `${owner}-1`, values: embed("lighthouse keeper"), metadata: { owner, category: "c" } }]);
  await evictDurableObject(env.VECTOR_SHARD.get(env.VECTOR_SHARD.idFromName(`owner:${owner}`)));
  const matches = await index.query(embed("lighthouse keeper"), { topK: 1, owners: [owner] });
  expect(matches.map((m) => m.id)).toEqual([`${owner}-1`]);
});
