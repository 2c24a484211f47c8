/**
 * Helpers for chat-session tests: a scripted AI SDK mock model (text and tool
 * calls per step, holds and failures on cue), a tool runtime of test tools with
 * the contract's shapes, agents straight in D1 (their CRUD is another feature),
 * and readers for the session's SSE stream and WebSocket.
 */

import { env, exports } from "cloudflare:workers";
import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { MockLanguageModelV4 } from "ai/test";
import type { StreamEvent } from "../../../shared/chat-session/protocol";
import type { ToolDescriptor, ToolOutcome, ToolRuntime } from "../../../worker/features/tools/contract";
import { BASE, call, json, type TestUser } from "./api";
import { LiveSocket } from "./live";

export type ScriptStep = {
  /** Text chunks, streamed in order. */
  text?: string[];
  toolCalls?: Array<{ id: string; name: string; input: unknown }>;
  /** After this many text chunks, wait for `release` (or the call's abort) before going on. */
  holdAfter?: number;
  release?: Promise<void>;
  /** The call fails before streaming anything. */
  error?: string;
  usage?: { input: number; output: number };
  chunkDelayMs?: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function abortable(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return promise;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    }),
  ]);
}

function stepStream(step: ScriptStep, signal: AbortSignal | undefined): ReadableStream<LanguageModelV4StreamPart> {
  const text = step.text ?? [];
  const parts: LanguageModelV4StreamPart[] = [];
  if (text.length) parts.push({ type: "text-start", id: "t" });
  for (const delta of text) parts.push({ type: "text-delta", id: "t", delta });
  if (text.length) parts.push({ type: "text-end", id: "t" });
  for (const c of step.toolCalls ?? []) {
    parts.push({ type: "tool-call", toolCallId: c.id, toolName: c.name, input: JSON.stringify(c.input) });
  }
  const usage = step.usage ?? { input: 100, output: 20 };
  parts.push({
    type: "finish",
    finishReason: step.toolCalls?.length
      ? { unified: "tool-calls", raw: "tool_calls" }
      : { unified: "stop", raw: "stop" },
    usage: {
      inputTokens: { total: usage.input, noCache: usage.input, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: usage.output, text: usage.output, reasoning: undefined },
    },
  });
  let index = 0;
  let held = false;
  return new ReadableStream({
    async pull(controller) {
      const sentText = index - 1;
      if (!held && step.holdAfter !== undefined && sentText >= step.holdAfter) {
        held = true;
        await abortable(step.release ?? new Promise(() => {}), signal);
      }
      if (index >= parts.length) return controller.close();
      if (step.chunkDelayMs) await abortable(sleep(step.chunkDelayMs), signal);
      controller.enqueue(parts[index++]!);
    },
  });
}

/** A mock model answering the n-th call with the n-th step (the last one again after that); summaries via doGenerate. */
export function scriptedModel(steps: ScriptStep[], summary = "Summary: the user sent large documents.") {
  const model: MockLanguageModelV4 = new MockLanguageModelV4({
    provider: "mock",
    modelId: "scripted",
    doStream: async (options) => {
      const step = steps[Math.min(model.doStreamCalls.length - 1, steps.length - 1)] ?? { text: ["…"] };
      if (step.error) throw new Error(step.error);
      return { stream: stepStream(step, options.abortSignal) };
    },
    doGenerate: async () => ({
      content: [{ type: "text", text: summary }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: { total: 50, noCache: 50, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 10, text: 10, reasoning: undefined },
      },
      warnings: [],
    }),
  });
  return model;
}

/** The prompt the model got on its n-th streamed call, as text (for "did it see X" checks). */
export function promptOf(model: MockLanguageModelV4, call: number): string {
  return JSON.stringify(model.doStreamCalls[call]?.prompt ?? null);
}

export type TestTool = {
  name: string;
  dangerous?: boolean;
  timeoutMs?: number;
  run: (input: unknown, signal: AbortSignal) => Promise<unknown>;
};

/** A ToolRuntime over test tools, keeping the contract: never throws for a tool's failure, enforces each timeout. */
export function testToolRuntime(tools: TestTool[]) {
  const calls = new Map<string, number>();
  const descriptor = (tool: TestTool): ToolDescriptor => ({
    name: tool.name,
    description: `Test tool ${tool.name}`,
    inputSchema: { type: "object", properties: {}, additionalProperties: true },
    dangerous: tool.dangerous ?? false,
    timeoutMs: tool.timeoutMs ?? 5_000,
    cacheTtlSeconds: 0,
    scopes: [],
    extension: "test",
  });
  const runtime: ToolRuntime = {
    list: async () => tools.map(descriptor),
    async execute(_env, _caller, name, input, signal): Promise<ToolOutcome> {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      const started = Date.now();
      const done = (status: ToolOutcome["status"], rest: Partial<ToolOutcome>): ToolOutcome => ({
        executionId: crypto.randomUUID(),
        status,
        executionTimeMs: Date.now() - started,
        costMicros: 0,
        ...rest,
      });
      const tool = tools.find((t) => t.name === name);
      if (!tool) return done("failed", { error: { code: "unknown_tool", message: name } });
      const own = new AbortController();
      signal?.addEventListener("abort", () => own.abort(signal.reason), { once: true });
      const limit = descriptor(tool).timeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), limit);
      });
      try {
        const output = await abortable(Promise.race([tool.run(input, own.signal), timeout]), own.signal);
        return done("succeeded", { output, costMicros: 5 });
      } catch (error) {
        if (error instanceof Error && error.message === "timeout") {
          own.abort();
          return done("timed_out", { error: { code: "timed_out", message: `over ${limit} ms` } });
        }
        return done("failed", { error: { code: "tool_error", message: String(error) } });
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return { runtime, calls };
}

export async function createAgent(
  user: TestUser,
  fields: {
    model?: string;
    fallback?: string[];
    tools?: string[];
    config?: Record<string, unknown>;
    prompt?: string;
  } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  await env.DB.prepare(
    `INSERT INTO agents (id, user_id, name, model, fallback_models, system_prompt, tools, config, is_active)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  )
    .bind(
      id,
      user.id,
      `Agent ${id.slice(0, 6)}`,
      fields.model ?? "mock:scripted",
      JSON.stringify(fields.fallback ?? []),
      fields.prompt ?? "You are a test assistant.",
      JSON.stringify(fields.tools ?? []),
      JSON.stringify(fields.config ?? {}),
    )
    .run();
  return id;
}

export async function createSession(user: TestUser, agentId: string, title?: string): Promise<string> {
  const res = await call("/api/v1/sessions", { token: user.accessToken, body: { agent_id: agentId, title } });
  if (res.status !== 201) throw new Error(`session create failed: ${res.status} ${await res.text()}`);
  return (await json<{ id: string }>(res)).id;
}

export type Accepted = { turn_id: string; message: { id: string; seq: number }; stream_after: number };

export async function sendMessage(user: TestUser, sessionId: string, content: string): Promise<Accepted> {
  const res = await call(`/api/v1/sessions/${sessionId}/messages`, { token: user.accessToken, body: { content } });
  if (res.status !== 202) throw new Error(`send failed: ${res.status} ${await res.text()}`);
  return json<Accepted>(res);
}

export const isTurnEnd = (event: StreamEvent) =>
  event.type === "turn.completed" || event.type === "turn.failed" || event.type === "turn.cancelled";

/** Reads an SSE response: events as they come, until `until` says stop (or the time runs out). */
export class SseReader {
  readonly events: StreamEvent[] = [];
  readonly named: Array<{ event: string; data: unknown }> = [];
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = "";
  #decoder = new TextDecoder();

  constructor(readonly response: Response) {
    if (!response.body) throw new Error("no body");
    this.#reader = response.body.getReader();
  }

  async until(stop: (event: StreamEvent, all: StreamEvent[]) => boolean, timeoutMs = 5_000): Promise<StreamEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.events.at(-1);
      if (last && stop(last, this.events)) return this.events;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SSE timed out; got ${this.events.map((e) => `${e.seq}:${e.type}`).join(" ")}`);
      const chunk = await Promise.race([this.#reader.read(), sleep(left).then(() => null)]);
      if (!chunk) continue;
      if (chunk.done) throw new Error(`SSE ended; got ${this.events.map((e) => e.type).join(" ")}`);
      this.#take(this.#decoder.decode(chunk.value, { stream: true }), stop);
    }
  }

  /** Parses whole frames; stops at the first event `stop` accepts so later ones stay unread. */
  #take(text: string, stop: (event: StreamEvent, all: StreamEvent[]) => boolean) {
    this.#buffer += text;
    let end = this.#buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of frame.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
      }
      const data = fields.get("data");
      if (data !== undefined && fields.has("event"))
        this.named.push({ event: fields.get("event")!, data: JSON.parse(data) });
      else if (data !== undefined) {
        const event = JSON.parse(data) as StreamEvent;
        this.events.push(event);
        if (String(event.seq) !== fields.get("id")) throw new Error(`id ${fields.get("id")} for seq ${event.seq}`);
        if (stop(event, this.events)) return;
      }
      end = this.#buffer.indexOf("\n\n");
    }
  }

  async close() {
    await this.#reader.cancel().catch(() => {});
  }
}

export async function openStream(
  user: TestUser,
  sessionId: string,
  after?: number,
  headers: Record<string, string> = {},
) {
  const query = after === undefined ? "" : `?after=${after}`;
  const res = await call(`/api/v1/sessions/${sessionId}/stream${query}`, { token: user.accessToken, headers });
  if (res.status !== 200) throw new Error(`stream failed: ${res.status} ${await res.text()}`);
  return new SseReader(res);
}

/** The events of a turn from `after` until it ends (or pauses for approval, with `untilType`). */
export async function follow(user: TestUser, sessionId: string, after: number, untilType?: string) {
  const reader = await openStream(user, sessionId, after);
  try {
    return await reader.until((event) => (untilType ? event.type === untilType : isTurnEnd(event)));
  } finally {
    await reader.close();
  }
}

/** A session WebSocket through a fresh ticket, after its welcome frame. */
export async function sessionSocket(user: TestUser, sessionId: string, query: Record<string, string> = {}) {
  const ticket = await call(`/api/v1/sessions/${sessionId}/ws/ticket`, { method: "POST", token: user.accessToken });
  if (ticket.status !== 201) throw new Error(`ticket failed: ${ticket.status} ${await ticket.text()}`);
  const url = new URL(`${BASE}/api/v1/sessions/${sessionId}/ws`);
  url.searchParams.set("ticket", (await json<{ ticket: string }>(ticket)).ticket);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const res = await exports.default.fetch(new Request(url, { headers: { upgrade: "websocket" } }));
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const socket = new LiveSocket(res.webSocket);
  const welcome = await socket.nextOfType("welcome");
  return { socket, welcome: welcome as { type: "welcome"; last_seq: number } };
}

/** Stream events received on a socket so far. */
export function socketEvents(socket: LiveSocket): StreamEvent[] {
  return socket.events() as unknown as StreamEvent[];
}

export function sessionObject(sessionId: string) {
  return env.CHAT_SESSION.getByName(sessionId);
}
