/**
 * What the pipeline itself costs, with a mock model that answers at once and a
 * tool that returns at once: the overhead of one tool step (model's last chunk →
 * next model call: persist, usage, tool run and record, context, budget check)
 * and the first-chunk overhead (POST → first text.delta at an SSE client).
 * Prints p50/p99. A measurement, not a test: `npm run bench:agent` (outside `npm test`).
 */
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { afterAll, beforeAll, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../test/worker/support/api";
import {
  createAgent,
  createSession,
  isTurnEnd,
  openStream,
  scriptedModel,
  testToolRuntime,
} from "../test/worker/support/chat";
import { setModelOverride, setPipelineDeps } from "../worker/features/chat-sessions/deps";

const ROUNDS = 200;
let user: TestUser;
let restoreDeps = () => {};

beforeAll(async () => {
  user = await createUser();
  restoreDeps = setPipelineDeps({
    tools: testToolRuntime([{ name: "noop", run: async () => ({ ok: true }) }]).runtime,
  });
});
afterAll(() => {
  restoreDeps();
  setModelOverride({ mock: null });
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Sends one message with an SSE client already listening; returns when the turn ends. */
async function timedTurn(sessionId: string, onFirstDelta: (ms: number) => void) {
  const { last_seq } = await json<{ last_seq: number }>(
    await call(`/api/v1/sessions/${sessionId}`, { token: user.accessToken }),
  );
  const reader = await openStream(user, sessionId, last_seq);
  const started = Date.now();
  const res = await call(`/api/v1/sessions/${sessionId}/messages`, {
    token: user.accessToken,
    body: { content: "go" },
  });
  expect(res.status).toBe(202);
  await reader.until((e) => e.type === "text.delta");
  onFirstDelta(Date.now() - started);
  await reader.until(isTurnEnd);
  await reader.close();
}

it(`measures tool-step and first-chunk overhead over ${ROUNDS} turns`, async () => {
  const stepGaps: number[] = [];
  let lastChunkAt = 0;
  const model = scriptedModel([{ toolCalls: [{ id: "n", name: "noop", input: {} }] }, { text: ["done"] }]);
  const timed: LanguageModelV4 = {
    specificationVersion: "v4",
    provider: "mock",
    modelId: "scripted",
    supportedUrls: {},
    doGenerate: (options) => model.doGenerate(options),
    doStream: async (options) => {
      if (lastChunkAt) stepGaps.push(Date.now() - lastChunkAt);
      const result = await model.doStream(options);
      const flush = () => {
        lastChunkAt = Date.now();
      };
      return { ...result, stream: result.stream.pipeThrough(new TransformStream({ flush })) };
    },
  };
  setModelOverride({ mock: () => timed });
  const sessionId = await createSession(user, await createAgent(user, { tools: ["noop"] }));
  for (let i = 0; i < ROUNDS; i++) {
    model.doStreamCalls.length = 0;
    lastChunkAt = 0;
    await timedTurn(sessionId, () => {});
  }
  const textOnly = scriptedModel([{ text: ["hi"] }]);
  setModelOverride({ mock: () => textOnly });
  const plain = await createSession(user, await createAgent(user));
  const plainFirst: number[] = [];
  for (let i = 0; i < ROUNDS; i++) await timedTurn(plain, (ms) => plainFirst.push(ms));

  const report = {
    tool_step_overhead_ms: { p50: percentile(stepGaps, 50), p99: percentile(stepGaps, 99), n: stepGaps.length },
    first_chunk_overhead_ms: { p50: percentile(plainFirst, 50), p99: percentile(plainFirst, 99), n: plainFirst.length },
  };
  console.log(JSON.stringify(report));
  expect(stepGaps).toHaveLength(ROUNDS);
  expect(report.tool_step_overhead_ms.p99).toBeLessThan(2_000);
  expect(report.first_chunk_overhead_ms.p99).toBeLessThan(2_000);
}, 600_000);
