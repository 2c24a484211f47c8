/**
 * Runs the one Embedder contract against both implementations: the local hashing
 * embedder, and the Workers AI embedder over a local stand-in of the AI binding
 * (Workers AI does not run locally). Then what the stand-in lets us provoke: how
 * calls are batched, and a failing or misbehaving model turning into a clear 503
 * through the API, with nothing stored.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createUser, json } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { type FakeWorkersAiOptions, fakeWorkersAi } from "../../../test/worker/support/fake-workers-ai";
import { AppError } from "../../errors";
import { embedderFor, HashingEmbedder, WORKERS_AI_MODEL, WorkersAiEmbedder } from "./embedder";
import { describeEmbedderContract } from "./embedder.contract";

describeEmbedderContract("local (hashing)", () => new HashingEmbedder());
describeEmbedderContract("Workers AI (over the local stand-in)", () => new WorkersAiEmbedder(fakeWorkersAi().ai));

async function failureOf(options: FakeWorkersAiOptions, texts = ["garden tomatoes"]): Promise<AppError> {
  const error = await new WorkersAiEmbedder(fakeWorkersAi(options).ai).embed(texts).catch((caught) => caught);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("Workers AI embedder", () => {
  it("calls the model with at most 100 non-empty texts at a time", async () => {
    const { ai, calls } = fakeWorkersAi();
    const texts = Array.from({ length: 250 }, (_, i) => (i % 50 === 0 ? "" : `text ${i}`));
    await new WorkersAiEmbedder(ai).embed(texts);
    expect(calls.map((c) => c.model)).toEqual([WORKERS_AI_MODEL, WORKERS_AI_MODEL, WORKERS_AI_MODEL]);
    const sent = calls.map((c) => (c.inputs as { text: string[] }).text);
    expect(sent.map((batch) => batch.length)).toEqual([100, 100, 45]);
    expect(sent.flat()).toEqual(texts.filter(Boolean));
    await new WorkersAiEmbedder(ai).embed(["", " "]);
    expect(calls).toHaveLength(3);
  });

  it("turns a failing binding into a 503 that does not repeat its message", async () => {
    const error = await failureOf({
      respond: () => {
        throw new Error("3040: Capacity temporarily exceeded (account 0123abcd)");
      },
    });
    expect(error).toMatchObject({ status: 503, code: "embedder_unavailable", details: { model: WORKERS_AI_MODEL } });
    expect(error.message).not.toContain("0123abcd");
  });

  it("refuses answers of the wrong shape with a 503 that says what was wrong", async () => {
    const otherModel = await failureOf({ dimensions: 384 });
    expect(otherModel).toMatchObject({ status: 503, code: "embedder_bad_response" });
    expect(otherModel.message).toBe(
      "The embedding model answered vectors of 384 numbers; expected 1 vectors of 768 numbers",
    );
    const queued = await failureOf({ respond: () => ({ request_id: "r-1" }) });
    expect(queued.message).toContain("answered without embeddings");
    const short = await failureOf({ respond: () => ({ shape: [1, 768], data: [new Array(768).fill(0.1)] }) }, [
      "one",
      "two",
    ]);
    expect(short.message).toContain("answered 1 vectors; expected 2");
    const notNumbers = await failureOf({ respond: () => ({ data: [new Array(768).fill("x")] }) });
    expect(notNumbers.code).toBe("embedder_bad_response");
  });

  it("is what production uses; development and EMBEDDER=local use the hashing embedder", () => {
    expect(embedderFor(env)).toBeInstanceOf(HashingEmbedder);
    expect(embedderFor({ ...env, ENVIRONMENT: "production" })).toBeInstanceOf(WorkersAiEmbedder);
    expect(embedderFor({ ...env, ENVIRONMENT: "production", EMBEDDER: "local" })).toBeInstanceOf(HashingEmbedder);
    expect(embedderFor({ ...env, EMBEDDER: "workers-ai" })).toBeInstanceOf(WorkersAiEmbedder);
  });
});

describe("a failing model through the API", () => {
  /** Switches the running Worker to Workers AI over a stand-in (the test and the Worker share one env). */
  function switchToWorkersAi(options: FakeWorkersAiOptions) {
    const { ai } = fakeWorkersAi(options);
    vi.spyOn(env.AI, "run").mockImplementation(ai.run.bind(ai) as Ai["run"]);
    const previous = env.EMBEDDER;
    (env as { EMBEDDER: string }).EMBEDDER = "workers-ai";
    return () => {
      (env as { EMBEDDER: string }).EMBEDDER = previous;
    };
  }
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    vi.restoreAllMocks();
  });

  it("answers 503 to create and search, and stores nothing", async () => {
    const user = await createUser();
    restore = switchToWorkersAi({
      respond: () => {
        throw new Error("3040: Capacity temporarily exceeded");
      },
    });
    const created = await call("/api/v1/memories", { token: user.accessToken, body: { content: "Water at dawn." } });
    await expectError(created, 503, "embedder_unavailable");
    const searched = await call("/api/v1/memories/search?q=water&mode=vector", { token: user.accessToken });
    await expectError(searched, 503, "embedder_unavailable");
    expect(await rows("SELECT id FROM memories WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("keeps hybrid search answering from keyword alone while the model is down, and says so", async () => {
    const user = await createUser();
    restore = switchToWorkersAi({});
    const created = await call("/api/v1/memories", {
      token: user.accessToken,
      body: { content: "The orchard ladders are stored in the barn." },
    });
    expect(created.status).toBe(201);
    restore();
    restore = switchToWorkersAi({
      respond: () => {
        throw new Error("3040: Capacity temporarily exceeded");
      },
    });
    const hybrid = await call("/api/v1/memories/search?q=orchard%20ladders", { token: user.accessToken });
    const result = await json<{ mode: string; results: Array<{ content: string; vector_rank: number | null }> }>(
      hybrid,
    );
    expect(result.mode).toBe("keyword");
    expect(result.results.map((hit) => [hit.content, hit.vector_rank])).toEqual([
      ["The orchard ladders are stored in the barn.", null],
    ]);
    await expectError(
      await call("/api/v1/memories/search?q=orchard&mode=vector", { token: user.accessToken }),
      503,
      "embedder_unavailable",
    );
  });

  it("stores and finds memories when the model answers", async () => {
    const user = await createUser();
    restore = switchToWorkersAi({});
    const created = await call("/api/v1/memories", {
      token: user.accessToken,
      body: { content: "The greenhouse sprinklers run at dawn." },
    });
    expect(created.status).toBe(201);
    const found = await call("/api/v1/memories/search?q=greenhouse%20sprinklers&mode=vector", {
      token: user.accessToken,
    });
    const result = await json<{ results: Array<{ content: string }> }>(found);
    expect(result.results[0]?.content).toContain("greenhouse sprinklers");
  });
});
