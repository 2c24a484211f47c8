/**
 * A local server speaking the OpenAI Chat Completions API, started by the worker
 * suite's globalSetup on 127.0.0.1, so the OpenAI-compatible adapter is tested
 * over real HTTP (tests allowlist its host for the outbound guard).
 *
 * Replies are scripted by the last message of the request (fake-model-server.ts):
 * - a `tool` message → text reporting the tool result: `tool <name> returned <content>`;
 * - user `say: <text>` → `<text>`; `call: <tool> <json>` → that tool call; anything else → `You said: <text>`.
 * Behaviour by model name (tests add a unique suffix, since counters are per model name):
 * - `flaky-429-N…` answers 429 N times, then succeeds; `flaky-500-N…` the same with 500;
 * - `always-500…` always 500; `slow-MS…` waits MS before answering;
 * - `drop-midstream…` streams a little text, then drops the connection.
 * Every error carries `retry-after-ms: 10`, so the AI SDK's backoff stays fast.
 * Keys: `Authorization: Bearer sk-fake-…` is required (401 in OpenAI's error shape otherwise).
 * GET /v1/models lists models; GET /__requests?model=&key= returns the recorded requests.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  bodyModel,
  estimateTokens,
  failureScript,
  pieces,
  type Reply,
  requestLog,
  scriptedReply,
  sendJson,
  startModelServer,
  startSse,
  type Turn,
  textOf,
} from "./fake-model-server";

type ToolCall = { id: string; function: { name: string; arguments: string } };
type Message = { role: string; content?: unknown; tool_call_id?: string; tool_calls?: ToolCall[] };
type ChatRequest = {
  model: string;
  messages: Message[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
};

export const FAKE_MODELS = ["fake-chat", "fake-tools", "flaky-429-2", "always-500"];

const log = requestLog((headers) => headers.authorization?.replace(/^Bearer /, ""));
const scriptedFailure = failureScript();

function turnOf(messages: Message[]): Turn {
  const last = messages.at(-1);
  if (last?.role === "tool") {
    const calls = messages.flatMap((message) => message.tool_calls ?? []);
    const name = calls.find((call) => call.id === last.tool_call_id)?.function.name ?? "?";
    return { toolResult: { name, content: textOf(last.content) } };
  }
  return { userText: textOf([...messages].reverse().find((message) => message.role === "user")?.content) };
}

function sendError(res: ServerResponse, status: number, message: string, code: string) {
  const error = { message, type: "invalid_request_error", param: null, code };
  sendJson(res, status, { error }, { "retry-after-ms": "10" });
}

function usageFor(request: ChatRequest, reply: Reply) {
  const prompt = estimateTokens(request.messages.map((message) => textOf(message.content)).join("\n"));
  const completion = estimateTokens("text" in reply ? reply.text : reply.tool.arguments);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function completion(request: ChatRequest, reply: Reply, id: string) {
  const message =
    "text" in reply
      ? { role: "assistant", content: reply.text }
      : {
          role: "assistant",
          content: null,
          tool_calls: [{ id: `call_${id}`, type: "function", function: reply.tool }],
        };
  return {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, finish_reason: "text" in reply ? "stop" : "tool_calls" }],
    usage: usageFor(request, reply),
  };
}

function streamReply(res: ServerResponse, request: ChatRequest, reply: Reply, id: string) {
  startSse(res);
  const base = { id: `chatcmpl-${id}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000) };
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, model: request.model, choices, ...extra })}\n\n`);
  send([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  if ("text" in reply) {
    const parts = pieces(reply.text);
    if (request.model.startsWith("drop-midstream")) {
      send([{ index: 0, delta: { content: parts[0] }, finish_reason: null }]);
      res.socket?.destroy();
      return;
    }
    for (const content of parts) send([{ index: 0, delta: { content }, finish_reason: null }]);
  } else {
    const start = { index: 0, id: `call_${id}`, type: "function", function: { name: reply.tool.name, arguments: "" } };
    send([{ index: 0, delta: { tool_calls: [start] }, finish_reason: null }]);
    for (const args of pieces(reply.tool.arguments))
      send([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] }, finish_reason: null }]);
  }
  send([{ index: 0, delta: {}, finish_reason: "text" in reply ? "stop" : "tool_calls" }]);
  if (request.stream_options?.include_usage) send([], { usage: usageFor(request, reply) });
  res.end("data: [DONE]\n\n");
}

async function chat(res: ServerResponse, request: ChatRequest) {
  if (typeof request.model !== "string" || !Array.isArray(request.messages))
    return sendError(res, 400, "model and messages are required", "invalid_request");
  const failure = scriptedFailure(request.model);
  if (failure === 429) return sendError(res, 429, "Rate limit reached; slow down", "rate_limit_exceeded");
  if (failure) return sendError(res, failure, "The server had an error processing your request", "server_error");
  const slow = /^slow-(\d+)/.exec(request.model);
  if (slow) await new Promise((resolve) => setTimeout(resolve, Number(slow[1])));
  const reply = scriptedReply(turnOf(request.messages));
  const id = Math.random().toString(36).slice(2, 10);
  if (request.stream) return streamReply(res, request, reply, id);
  sendJson(res, 200, completion(request, reply, id));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://fake");
  if (url.pathname === "/__requests") return log.list(res, url);
  const { body } = await log.record(req, url, bodyModel);
  if (!/^Bearer sk-fake-\S+$/.test(req.headers.authorization ?? ""))
    return sendError(res, 401, "Incorrect API key provided.", "invalid_api_key");
  if (req.method === "GET" && url.pathname === "/v1/models") {
    const data = FAKE_MODELS.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" }));
    return sendJson(res, 200, { object: "list", data });
  }
  if (req.method === "POST" && url.pathname === "/v1/chat/completions") return chat(res, body as ChatRequest);
  return sendError(res, 404, `No route ${req.method} ${url.pathname}`, "not_found");
}

export function startFakeOpenAi() {
  return startModelServer(handle, (res, message) => sendError(res, 500, message, "server_error"));
}
