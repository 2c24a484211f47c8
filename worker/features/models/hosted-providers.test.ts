/**
 * The `anthropic` and `google` provider kinds over real HTTP: each added through the
 * API with a base_url pointing at its local fake (test/worker/fake-anthropic.ts,
 * fake-google.ts; through the outbound guard, hosts allowlisted), resolved by
 * modelResolver and called with the AI SDK: streamed and whole text, tool calls
 * round-tripping, usage, the key in the API's own header, retries on overload, a
 * lasting 429 reported clearly, a wrong key, and the live check.
 */
import { env } from "cloudflare:workers";
import { generateText, isStepCount, streamText, tool } from "ai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { call, createUser, type TestUser } from "../../../test/worker/support/api";
import {
  addHostedProvider,
  allowModelFakes,
  HOSTED_FAKES,
  requestsTo,
  uniqueModel,
} from "../../../test/worker/support/model-fakes";
import { MODEL_MAX_RETRIES, modelResolver, withModelFallback } from "./resolve";

const calculator = tool({
  description: "Evaluates an arithmetic expression",
  inputSchema: z.object({ expression: z.string() }),
  execute: async ({ expression }) => ({ value: expression === "2+2" ? 4 : null }),
});

beforeEach(() => allowModelFakes());

describe.each(HOSTED_FAKES)("$kind", (fake) => {
  let user: TestUser;
  let providerId: string;
  const apiKey = fake.newKey();

  async function resolveOne(model: string) {
    const { models, skipped } = await modelResolver.resolveChain(env, user.id, [`hosted:${model}`]);
    expect(skipped).toEqual([]);
    return models[0]!.model;
  }

  beforeAll(async () => {
    await allowModelFakes();
    user = await createUser();
    providerId = await addHostedProvider(user, fake, "hosted", apiKey);
  });

  it("streams a reply in several deltas with usage, the key only in its own header", async () => {
    const model = uniqueModel("fake-chat");
    const result = streamText({
      model: await resolveOne(model),
      prompt: "say: hello from the fake server",
      maxRetries: MODEL_MAX_RETRIES,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("hello from the fake server");
    expect(deltas.length).toBeGreaterThan(3);
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(Math.ceil("hello from the fake server".length / 4));
    expect(await result.finishReason).toBe("stop");

    const [sent] = await requestsTo(fake, { model });
    expect(sent?.headers[fake.keyHeader]).toBe(apiKey);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.path.startsWith(new URL(fake.baseUrl()).pathname)).toBe(true);
  });

  it("answers whole (non-streaming) with usage", async () => {
    const result = await generateText({ model: await resolveOne("fake-chat"), prompt: "say: hi there" });
    expect(result.text).toBe("hi there");
    expect(result.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: 2 });
    expect(result.finishReason).toBe("stop");
  });

  it("calls a tool, sends its result back, and gets a reply that uses it", async () => {
    const model = uniqueModel("fake-tools");
    const result = await generateText({
      model: await resolveOne(model),
      tools: { calculator },
      stopWhen: isStepCount(3),
      prompt: 'call: calculator {"expression":"2+2"}',
    });
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "calculator", input: { expression: "2+2" } });
    expect(result.steps[0]!.finishReason).toBe("tool-calls");
    expect(result.text).toBe('tool calculator returned {"value":4}');
    const sent = await requestsTo(fake, { model });
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent[0]!.body)).toContain('"calculator"');
    expect(JSON.stringify(sent[1]!.body)).toContain(fake.toolResultMarker);
  });

  it("streams a tool call, runs it and streams the answer", async () => {
    const result = streamText({
      model: await resolveOne(uniqueModel("fake-tools")),
      tools: { calculator },
      stopWhen: isStepCount(3),
      prompt: 'call: calculator {"expression":"2+2"}',
    });
    const types = new Set<string>();
    for await (const part of result.fullStream) types.add(part.type);
    expect([...types]).toEqual(expect.arrayContaining(["tool-call", "tool-result", "text-delta"]));
    expect(await result.text).toBe('tool calculator returned {"value":4}');
    expect((await result.totalUsage).totalTokens).toBeGreaterThan(0);
  });

  it(`retries a ${fake.overloaded} (overloaded) and succeeds on the third request`, async () => {
    const model = uniqueModel(`flaky-${fake.overloaded}-2`);
    const result = streamText({
      model: await resolveOne(model),
      prompt: "say: made it",
      maxRetries: MODEL_MAX_RETRIES,
    });
    expect(await result.text).toBe("made it");
    expect(await requestsTo(fake, { model })).toHaveLength(3);
  });

  it("retries a lasting 429, then reports the provider's message with the status", async () => {
    const model = uniqueModel("always-429");
    const { models } = await modelResolver.resolveChain(env, user.id, [`hosted:${model}`]);
    const failures = await withModelFallback(models, (candidate) =>
      generateText({ model: candidate.model, prompt: "say: never", maxRetries: MODEL_MAX_RETRIES }),
    ).catch((caught: { failures: unknown }) => caught.failures);
    expect(failures).toEqual([
      { spec: `hosted:${model}`, status: 429, code: "retries_exhausted", message: fake.rateLimitMessage },
    ]);
    expect(await requestsTo(fake, { model })).toHaveLength(1 + MODEL_MAX_RETRIES);
  });

  it("reports a wrong key as the provider's error, without retrying or echoing the key", async () => {
    const other = await createUser();
    const wrongKey = `wrong-${crypto.randomUUID()}`;
    await addHostedProvider(other, fake, "wrongkey", wrongKey);
    const { models } = await modelResolver.resolveChain(env, other.id, ["wrongkey:fake-chat"]);
    const failures = await withModelFallback(models, (candidate) =>
      generateText({ model: candidate.model, prompt: "hi", maxRetries: MODEL_MAX_RETRIES }),
    ).catch((caught: { failures: unknown }) => caught.failures);
    expect(failures).toEqual([
      { spec: "wrongkey:fake-chat", status: fake.badKey.status, message: fake.badKey.message },
    ]);
    expect(JSON.stringify(failures)).not.toContain(wrongKey);
    expect(await requestsTo(fake, { key: wrongKey })).toHaveLength(1);
  });

  it("checks the provider live by listing its models through its own API", async () => {
    const res = await call(`/api/v1/providers/${providerId}/check`, { method: "POST", token: user.accessToken });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(apiKey);
    expect(JSON.parse(text)).toMatchObject({ models: fake.listed });
    const listed = await requestsTo(fake, { key: apiKey });
    expect(listed.some((request) => request.path.endsWith("/models"))).toBe(true);
  });
});
