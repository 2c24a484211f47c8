/**
 * The chat pipeline with everything real: an agent made through the API from a
 * template, the offline provider (no keys), the real tool runtime running the
 * calculator, the usage ledger. No test seams.
 */
import { describe, expect, it } from "vitest";
import { call, createUser, json } from "../../../test/worker/support/api";
import { createSession, follow, sendMessage } from "../../../test/worker/support/chat";
import { rows } from "../../../test/worker/support/db";

describe("a chat with no model provider configured", () => {
  it("runs `/calculator {json}` through the real tool runtime and answers with the result", async () => {
    const user = await createUser();
    const created = await call("/api/v1/agents/from-template", {
      token: user.accessToken,
      body: { template_id: "general-assistant", model: "offline:assistant" },
    });
    expect(created.status).toBe(201);
    const agent = await json<{ id: string; tools: string[] }>(created);
    expect(agent.tools).toContain("calculator");

    const sessionId = await createSession(user, agent.id);
    const accepted = await sendMessage(user, sessionId, '/calculator {"expression":"6*7"}');
    const events = await follow(user, sessionId, accepted.stream_after);
    const types = events.map((event) => event.type);
    expect(types).toContain("tool.started");
    expect(types.at(-1)).toBe("turn.completed");
    const finished = events.find((event) => event.type === "tool.finished");
    expect(finished?.data).toMatchObject({ name: "calculator", status: "succeeded" });
    const answer = events
      .filter((event) => event.type === "text.delta")
      .map((event) => (event.data as { text: string }).text)
      .join("");
    expect(answer).toContain("42");

    const executions = await rows<{ tool: string; source: string; status: string; session_id: string }>(
      "SELECT tool, source, status, session_id FROM tool_executions WHERE user_id = ?",
      user.id,
    );
    expect(executions).toEqual([{ tool: "calculator", source: "chat", status: "succeeded", session_id: sessionId }]);

    const usage = await json<{ totals: { input_tokens: number; output_tokens: number } }>(
      await call("/api/v1/usage", { token: user.accessToken }),
    );
    expect(usage.totals.input_tokens).toBeGreaterThan(0);
    expect(usage.totals.output_tokens).toBeGreaterThan(0);
  });

  it("answers plain text honestly, naming the tools it can run", async () => {
    const user = await createUser();
    const agent = await json<{ id: string }>(
      await call("/api/v1/agents", { token: user.accessToken, body: { name: "plain", tools: ["calculator"] } }),
    );
    const sessionId = await createSession(user, agent.id);
    const accepted = await sendMessage(user, sessionId, "What is the capital of France?");
    const events = await follow(user, sessionId, accepted.stream_after);
    const answer = events
      .filter((event) => event.type === "text.delta")
      .map((event) => (event.data as { text: string }).text)
      .join("");
    expect(answer).toMatch(/no model provider is configured/i);
    expect(answer).toContain("/calculator");
  });
});
