/**
 * Chat turns through the `anthropic` and `google` provider kinds, nothing mocked:
 * an agent whose model is a user provider pointing at the local fake of that API
 * (test/worker/fake-anthropic.ts, fake-google.ts), the real tool runtime running the
 * calculator, the usage ledger. The key must reach the fake in its own header and
 * nowhere else: not the stream, the stored messages, D1 or the logs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, createUser } from "../../../test/worker/support/api";
import { createAgent, createSession, follow, sendMessage } from "../../../test/worker/support/chat";
import { rows, snapshot } from "../../../test/worker/support/db";
import {
  addHostedProvider,
  allowModelFakes,
  HOSTED_FAKES,
  requestsTo,
  uniqueModel,
} from "../../../test/worker/support/model-fakes";

const logged: unknown[][] = [];

beforeEach(async () => {
  await allowModelFakes();
  for (const level of ["log", "info", "warn", "error", "debug"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args));
});

afterEach(() => {
  vi.restoreAllMocks();
  logged.length = 0;
});

describe.each(HOSTED_FAKES)("a chat turn through $kind", (fake) => {
  async function chatWith(model: string, message: string) {
    const user = await createUser();
    const apiKey = fake.newKey();
    await addHostedProvider(user, fake, "hosted", apiKey);
    const agentId = await createAgent(user, { model: `hosted:${model}`, tools: ["calculator"] });
    const sessionId = await createSession(user, agentId);
    const accepted = await sendMessage(user, sessionId, message);
    const events = await follow(user, sessionId, accepted.stream_after);
    return { user, apiKey, sessionId, events };
  }

  it("streams the answer after a calculator round-trip, records usage, and keeps the key out of sight", async () => {
    const model = uniqueModel("fake-tools");
    const { user, apiKey, sessionId, events } = await chatWith(model, 'call: calculator {"expression":"6*7"}');

    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(events.find((event) => event.type === "tool.finished")?.data).toMatchObject({
      name: "calculator",
      status: "succeeded",
    });
    const deltas = events.filter((event) => event.type === "text.delta");
    const answer = deltas.map((event) => (event.data as { text: string }).text).join("");
    expect(answer).toMatch(/^tool calculator returned .*42/);

    const sent = await requestsTo(fake, { model });
    expect(sent).toHaveLength(2);
    expect(sent.every((request) => request.headers[fake.keyHeader] === apiKey)).toBe(true);
    expect(JSON.stringify(sent[1]!.body)).toContain(fake.toolResultMarker);

    const [session] = await rows<{ input_tokens: number; output_tokens: number }>(
      "SELECT input_tokens, output_tokens FROM chat_sessions WHERE id = ?",
      sessionId,
    );
    expect(session!.input_tokens).toBeGreaterThan(0);
    expect(session!.output_tokens).toBeGreaterThan(0);
    const usage = (await (await call("/api/v1/usage", { token: user.accessToken })).json()) as {
      totals: { input_tokens: number; output_tokens: number };
    };
    expect(usage.totals).toMatchObject({ input_tokens: session!.input_tokens, output_tokens: session!.output_tokens });

    // The spy sees the Worker's own log lines (its access log), so the check below is not vacuous.
    expect(JSON.stringify(logged)).toContain("/api/v1/providers");
    const page = await (await call(`/api/v1/sessions/${sessionId}/messages`, { token: user.accessToken })).text();
    expect(page).toContain("tool calculator returned");
    for (const seen of [JSON.stringify(events), page, JSON.stringify(await snapshot()), JSON.stringify(logged)])
      expect(seen).not.toContain(apiKey);
  });

  it("retries a lasting 429, then fails the turn with the provider's message", async () => {
    const model = uniqueModel("always-429");
    const { apiKey, events } = await chatWith(model, "say: never arrives");
    expect(events.at(-1)).toMatchObject({
      type: "turn.failed",
      data: {
        code: "model_error",
        message: expect.stringContaining(fake.rateLimitMessage),
        details: {
          failures: [
            { spec: `hosted:${model}`, status: 429, code: "retries_exhausted", message: fake.rateLimitMessage },
          ],
        },
      },
    });
    expect(await requestsTo(fake, { model })).toHaveLength(3);
    expect(JSON.stringify([events, logged])).not.toContain(apiKey);
  });
});
