/**
 * The OpenAI-compatible adapter over real HTTP: a provider added through the API,
 * resolved by modelResolver, called with the AI SDK against the local server in
 * test/worker/fake-openai.ts (through the outbound guard, its host allowlisted):
 * streamed and whole text, tool calls, usage, retries on 429, fallback past a
 * failing model, and the guard refusing a base URL whose name resolves privately.
 */
import { env } from "cloudflare:workers";
import { generateText, isStepCount, streamText, tool } from "ai";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { MODEL_MAX_RETRIES, modelResolver, withModelFallback } from "./resolve";

type Recorded = { path: string; model: string | null; headers: Record<string, string>; body: Record<string, unknown> };

const fakeHost = () => new URL(env.FAKE_OPENAI_URL).host;
const outbound = (allow: string[]) =>
  setConfig("outbound", { allow_private_hosts: allow, max_response_bytes: 2_000_000, timeout_ms: 10_000 });

const calculator = tool({
  description: "Evaluates an arithmetic expression",
  inputSchema: z.object({ expression: z.string() }),
  execute: async ({ expression }) => ({ value: expression === "2+2" ? 4 : null }),
});

async function requestsTo(query: string): Promise<Recorded[]> {
  return (await fetch(`${env.FAKE_OPENAI_URL}/__requests?${query}`)).json();
}

let user: TestUser;
const apiKey = `sk-fake-${crypto.randomUUID()}`;
const unique = (model: string) => `${model}-${crypto.randomUUID().slice(0, 8)}`;

async function resolveOne(spec: string) {
  const { models, skipped } = await modelResolver.resolveChain(env, user.id, [spec]);
  expect(skipped).toEqual([]);
  return models[0]!.model;
}

beforeAll(async () => {
  await outbound([fakeHost()]);
  user = await createUser();
  const res = await call("/api/v1/providers", {
    token: user.accessToken,
    body: { name: "fake", kind: "openai-compatible", base_url: `${env.FAKE_OPENAI_URL}/v1`, api_key: apiKey },
  });
  expect(res.status).toBe(201);
});

beforeEach(() => outbound([fakeHost()]));

describe("text", () => {
  it("streams a reply in several deltas, with usage from the final chunk", async () => {
    const model = unique("fake-chat");
    const result = streamText({
      model: await resolveOne(`fake:${model}`),
      prompt: "say: hello from the fake OpenAI server",
      maxRetries: MODEL_MAX_RETRIES,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("hello from the fake OpenAI server");
    expect(deltas.length).toBeGreaterThan(3);
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(Math.ceil("hello from the fake OpenAI server".length / 4));

    const [sent] = await requestsTo(`model=${model}`);
    expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("answers whole (non-streaming) with usage", async () => {
    const result = await generateText({ model: await resolveOne("fake:fake-chat"), prompt: "say: hi there" });
    expect(result.text).toBe("hi there");
    expect(result.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: 2 });
    expect(result.finishReason).toBe("stop");
  });
});

describe("tool calls", () => {
  it("calls a tool, sends its result back, and gets a reply that uses it", async () => {
    const model = unique("fake-tools");
    const result = await generateText({
      model: await resolveOne(`fake:${model}`),
      tools: { calculator },
      stopWhen: isStepCount(3),
      prompt: 'call: calculator {"expression":"2+2"}',
    });
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "calculator", input: { expression: "2+2" } });
    expect(result.text).toBe('tool calculator returned {"value":4}');
    const sent = await requestsTo(`model=${model}`);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.body.tools).toEqual([expect.objectContaining({ type: "function" })]);
    expect(JSON.stringify(sent[1]!.body.messages)).toContain('"role":"tool"');
  });

  it("streams a tool call whose arguments arrive in pieces", async () => {
    const result = streamText({
      model: await resolveOne(`fake:${unique("fake-tools")}`),
      tools: { calculator },
      stopWhen: isStepCount(3),
      prompt: 'call: calculator {"expression":"2+2"}',
    });
    const types = new Set<string>();
    for await (const part of result.fullStream) types.add(part.type);
    expect([...types]).toEqual(expect.arrayContaining(["tool-input-delta", "tool-call", "tool-result", "text-delta"]));
    expect(await result.text).toBe('tool calculator returned {"value":4}');
    expect((await result.totalUsage).totalTokens).toBeGreaterThan(0);
  });
});

describe("failures", () => {
  it("retries a 429 with backoff and succeeds on the third request", async () => {
    const model = unique("flaky-429-2");
    const result = await generateText({
      model: await resolveOne(`fake:${model}`),
      prompt: "say: made it",
      maxRetries: MODEL_MAX_RETRIES,
    });
    expect(result.text).toBe("made it");
    expect(await requestsTo(`model=${model}`)).toHaveLength(3);
  });

  it("falls back from a model that keeps failing to the next one, reporting why", async () => {
    const broken = unique("always-500");
    const { models } = await modelResolver.resolveChain(env, user.id, [`fake:${broken}`, "fake:fake-chat"]);
    const reported: string[] = [];
    const { value, model, failures } = await withModelFallback(
      models,
      async (candidate) => {
        const result = streamText({ model: candidate.model, prompt: "say: second time lucky", maxRetries: 2 });
        // As the pipeline does: a failed call arrives as an `error` part, thrown before any text was used.
        let text = "";
        for await (const part of result.fullStream) {
          if (part.type === "error") throw part.error;
          if (part.type === "text-delta") text += part.text;
        }
        return text;
      },
      (failure, next) => {
        reported.push(`${failure.spec} → ${next?.spec}`);
      },
    );
    expect(value).toBe("second time lucky");
    expect(model.spec).toBe("fake:fake-chat");
    expect(failures).toEqual([
      {
        spec: `fake:${broken}`,
        status: 500,
        code: "retries_exhausted",
        message: "The server had an error processing your request",
      },
    ]);
    expect(reported).toEqual([`fake:${broken} → fake:fake-chat`]);
    expect(await requestsTo(`model=${broken}`)).toHaveLength(1 + MODEL_MAX_RETRIES);
  });

  it("reports a wrong key as the provider's 401, without retrying", async () => {
    const other = await createUser();
    await call("/api/v1/providers", {
      token: other.accessToken,
      body: { name: "wrongkey", kind: "openai-compatible", base_url: `${env.FAKE_OPENAI_URL}/v1`, api_key: "nope" },
    });
    const { models } = await modelResolver.resolveChain(env, other.id, ["wrongkey:fake-chat"]);
    const error = await withModelFallback(models, (candidate) =>
      generateText({ model: candidate.model, prompt: "hi", maxRetries: MODEL_MAX_RETRIES }),
    ).catch((caught: { failures: unknown }) => caught.failures);
    expect(error).toEqual([{ spec: "wrongkey:fake-chat", status: 401, message: "Incorrect API key provided." }]);
    expect(await requestsTo("key=nope")).toHaveLength(1);
  });

  it("refuses at call time a base URL whose name now resolves to a private address", async () => {
    // The host was allowlisted when the provider was saved; the guard checks again on every request.
    await outbound([fakeHost(), "llm.private.test"]);
    const owner = await createUser();
    const created = await call("/api/v1/providers", {
      token: owner.accessToken,
      body: { name: "inside", kind: "openai-compatible", base_url: "http://llm.private.test/v1", api_key: apiKey },
    });
    expect(created.status).toBe(201);
    await outbound([fakeHost()]);

    const { models } = await modelResolver.resolveChain(env, owner.id, ["inside:llama3.2", "offline:assistant"]);
    const { model, failures } = await withModelFallback(models, (candidate) =>
      generateText({ model: candidate.model, prompt: "hi", maxRetries: MODEL_MAX_RETRIES }),
    );
    expect(model.spec).toBe("offline:assistant");
    expect(failures).toEqual([
      {
        spec: "inside:llama3.2",
        code: "outbound_blocked",
        message: expect.stringContaining("llm.private.test resolves to 10.0.0.5 is a private"),
      },
    ]);
    const check = await call(`/api/v1/providers/${(await json<{ id: string }>(created)).id}/check`, {
      method: "POST",
      token: owner.accessToken,
    });
    expect(check.status).toBe(422);
  });
});
