/**
 * The offline provider and the resolver's built-ins, through modelResolver and the
 * AI SDK as the pipeline uses them: an honest answer with the tool list,
 * `/tool {json}` → a tool call → a reply reporting the result, estimated usage,
 * Workers AI failing locally as a reported fallback, and the test-only override.
 */
import { env } from "cloudflare:workers";
import { generateText, isStepCount, streamText, tool } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import type { ResolvedModel } from "./contract";
import { MODEL_MAX_RETRIES, ModelFallbackError, modelResolver, setModelOverride, withModelFallback } from "./resolve";

const calculator = tool({
  description: "Evaluates an arithmetic expression",
  inputSchema: z.object({ expression: z.string() }),
  execute: async ({ expression }) => ({ expression, result: expression === "1+2" ? 3 : Number.NaN }),
});
const tools = { calculator };

async function offline(userId = crypto.randomUUID()): Promise<ResolvedModel> {
  const { models, skipped } = await modelResolver.resolveChain(env, userId, ["offline:assistant"]);
  expect(skipped).toEqual([]);
  return models[0]!;
}

describe("the offline model", () => {
  it("answers honestly that no provider is configured, listing its tools and the /tool syntax", async () => {
    const { model, price } = await offline();
    expect(price).toEqual({ input_per_mtok: 0, output_per_mtok: 0 });
    const result = await generateText({ model, tools, prompt: "What is the capital of France?" });
    expect(result.text).toContain("No model provider is configured");
    expect(result.text).toContain("`/calculator`");
    expect(result.text).toContain("expression: string (required)");
    expect(result.text).toContain('/calculator {"expression":"…"}');
    expect(result.toolCalls).toEqual([]);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBe(Math.ceil(result.text.length / 4));
  });

  it("says so when the agent has no tools", async () => {
    const { model } = await offline();
    const result = await generateText({ model, prompt: "hello" });
    expect(result.text).toContain("This agent has no tools enabled.");
  });

  it("turns /calculator {json} into a tool call, then reports the result", async () => {
    const { model } = await offline();
    const result = await generateText({
      model,
      tools,
      stopWhen: isStepCount(3),
      prompt: '/calculator {"expression":"1+2"}',
    });
    expect(result.steps).toHaveLength(2);
    const [call] = result.steps[0]!.toolCalls;
    expect(call).toMatchObject({ toolName: "calculator", input: { expression: "1+2" } });
    expect(result.steps[0]!.toolResults[0]?.output).toEqual({ expression: "1+2", result: 3 });
    expect(result.text).toContain("`calculator` returned:");
    expect(result.text).toContain('"result": 3');
    expect(result.totalUsage.inputTokens).toBeGreaterThan(result.steps[0]!.usage.inputTokens!);
  });

  it("streams its answer in several deltas, and a tool call as one", async () => {
    const { model } = await offline();
    const deltas: string[] = [];
    const text = streamText({ model, tools, prompt: "hi" });
    for await (const delta of text.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join("")).toContain("No model provider is configured");
    expect((await text.usage).outputTokens).toBeGreaterThan(0);

    const call = streamText({ model, tools, prompt: '/calculator {"expression":"1+2"}' });
    const parts: string[] = [];
    for await (const part of call.fullStream) parts.push(part.type);
    expect(parts).toEqual(expect.arrayContaining(["tool-input-start", "tool-call", "tool-result", "finish"]));
    expect((await call.toolCalls)[0]).toMatchObject({ toolName: "calculator", input: { expression: "1+2" } });
  });

  it("replies honestly to input that is not JSON, an unknown tool, and /tool with no input", async () => {
    const { model } = await offline();
    const bad = await generateText({ model, tools, prompt: "/calculator {expression: 1+2}" });
    expect(bad.toolCalls).toEqual([]);
    expect(bad.text).toMatch(/couldn't run `\/calculator`: its input is not valid JSON/);

    const array = await generateText({ model, tools, prompt: "/calculator [1, 2]" });
    expect(array.text).toContain("must be a JSON object");

    const unknown = await generateText({ model, tools, prompt: "/weather {}" });
    expect(unknown.text).toContain("There is no tool called `weather` here.");

    const now = tool({ description: "The time", inputSchema: z.object({}), execute: async () => "noon" });
    const bare = await generateText({ model, tools: { now }, stopWhen: isStepCount(2), prompt: "/now" });
    expect(bare.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "now", input: {} });
    expect(bare.text).toContain("`now` returned:\n```\nnoon\n```");
  });

  it("reports a failed tool honestly and truncates a long result", async () => {
    const { model } = await offline();
    const failing = tool({
      inputSchema: z.object({}),
      execute: async (): Promise<string> => {
        throw new Error("upstream down");
      },
    });
    const long = tool({ inputSchema: z.object({}), execute: async () => "x".repeat(5000) });
    const failed = await generateText({ model, tools: { failing }, stopWhen: isStepCount(2), prompt: "/failing" });
    expect(failed.text).toMatch(/^`failing` failed: .*upstream down/);
    const truncated = await generateText({ model, tools: { long }, stopWhen: isStepCount(2), prompt: "/long {}" });
    expect(truncated.text).toContain("(3500 more characters)");
    expect(truncated.text.length).toBeLessThan(2000);
  });
});

describe("resolving a chain", () => {
  afterEach(() => setModelOverride({ mock: null }));

  it("skips unknown providers and malformed specs with a reason, keeping the order of the rest", async () => {
    const user = await createUser();
    const { models, skipped } = await modelResolver.resolveChain(env, user.id, [
      "nobody:gpt-4o",
      "no-colon",
      "offline:first",
      ":empty",
      "offline:second",
    ]);
    expect(models.map((model) => model.spec)).toEqual(["offline:first", "offline:second"]);
    expect(skipped).toEqual([
      { spec: "nobody:gpt-4o", reason: expect.stringContaining("unknown provider nobody") },
      { spec: "no-colon", reason: "not a `provider:model` spec" },
      { spec: ":empty", reason: "not a `provider:model` spec" },
    ]);
  });

  it("reports Workers AI, which only runs deployed, as a failure and falls back to offline", async () => {
    const user = await createUser();
    const { models } = await modelResolver.resolveChain(env, user.id, [
      "workers-ai:@cf/meta/llama-3.1-8b-instruct",
      "offline:assistant",
    ]);
    const reported: string[] = [];
    const { value, model, failures } = await withModelFallback(
      models,
      (candidate) => generateText({ model: candidate.model, prompt: "hi", maxRetries: MODEL_MAX_RETRIES }),
      (failure, next) => {
        reported.push(`${failure.spec} → ${next?.spec}`);
      },
    );
    expect(model.spec).toBe("offline:assistant");
    expect(value.text).toContain("No model provider is configured");
    expect(failures).toEqual([
      {
        spec: "workers-ai:@cf/meta/llama-3.1-8b-instruct",
        code: "model_unavailable",
        message: expect.stringContaining("Workers AI is not available here"),
      },
    ]);
    expect(reported).toEqual(["workers-ai:@cf/meta/llama-3.1-8b-instruct → offline:assistant"]);
  });

  it("prices models from model_prices by model id, falling back to *", async () => {
    await setConfig("model_prices", {
      "*": { input_per_mtok: 1, output_per_mtok: 2 },
      scripted: { input_per_mtok: 3, output_per_mtok: 4 },
    });
    setModelOverride({ mock: (modelId) => new MockLanguageModelV4({ modelId }) });
    const { models } = await modelResolver.resolveChain(env, crypto.randomUUID(), ["mock:scripted", "mock:other"]);
    expect(models.map((model) => model.price)).toEqual([
      { input_per_mtok: 3, output_per_mtok: 4 },
      { input_per_mtok: 1, output_per_mtok: 2 },
    ]);
  });

  it("lets tests resolve a provider to the AI SDK's mock model (test-only seam)", async () => {
    setModelOverride({
      mock: (modelId) => {
        return new MockLanguageModelV4({
          modelId,
          doGenerate: async () => ({
            content: [{ type: "text", text: `scripted by ${modelId}` }],
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 2, text: 2, reasoning: 0 },
            },
            warnings: [],
          }),
        });
      },
    });
    const { models } = await modelResolver.resolveChain(env, crypto.randomUUID(), ["mock:scripted"]);
    expect(models[0]).toMatchObject({ spec: "mock:scripted", provider: "mock", modelId: "scripted" });
    const result = await generateText({ model: models[0]!.model, prompt: "hi" });
    expect(result.text).toBe("scripted by scripted");

    setModelOverride({ mock: null });
    const after = await modelResolver.resolveChain(env, crypto.randomUUID(), ["mock:scripted"]);
    expect(after.models).toEqual([]);
  });

  it("throws one error listing every failure when the whole chain fails, and never retries a cancel", async () => {
    const failing = (message: string) =>
      new MockLanguageModelV4({
        doGenerate: async () => {
          throw new Error(message);
        },
      });
    setModelOverride({ mock: (modelId) => failing(`${modelId} broke`) });
    const { models } = await modelResolver.resolveChain(env, crypto.randomUUID(), ["mock:a", "mock:b"]);
    const error = await withModelFallback(models, (candidate) =>
      generateText({ model: candidate.model, prompt: "hi" }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFallbackError);
    expect((error as ModelFallbackError).failures).toEqual([
      { spec: "mock:a", message: "a broke" },
      { spec: "mock:b", message: "b broke" },
    ]);
    expect((error as Error).message).toBe("Every model failed: mock:a: a broke; mock:b: b broke");

    const tried: string[] = [];
    const abort = new DOMException("cancelled", "AbortError");
    const cancelled = await withModelFallback(models, async (candidate) => {
      tried.push(candidate.spec);
      throw abort;
    }).catch((caught: unknown) => caught);
    expect(cancelled).toBe(abort);
    expect(tried).toEqual(["mock:a"]);
  });
});
