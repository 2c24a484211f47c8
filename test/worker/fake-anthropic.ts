/**
 * A local server speaking the Anthropic Messages API (`POST /v1/messages`, whole JSON
 * or SSE with `stream: true`; `GET /v1/models`), started by the worker suite's
 * globalSetup, so the `anthropic` provider kind is tested over real HTTP through the
 * outbound guard. Replies are scripted as in fake-model-server.ts: a `tool_result`
 * block → `tool <name> returned <content>`; user `call: <tool> <json>` → a `tool_use`
 * block; `say: <text>` → `<text>`.
 * Model names: `flaky-<429|529|500>-N…` fails N times then succeeds; `always-<status>…`
 * always fails. Errors use Anthropic's `{type:"error", error:{type, message}}` shape
 * with `retry-after: 0`, so the AI SDK's retries stay fast.
 * Keys: `x-api-key: sk-ant-fake-…` and an `anthropic-version` header are required.
 * GET /__requests?model=&key= returns the recorded requests.
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

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content?: unknown };
type Message = { role: "user" | "assistant"; content: string | Block[] };
type MessagesRequest = { model: string; messages: Message[]; system?: unknown; stream?: boolean };

export const FAKE_ANTHROPIC_MODELS = ["claude-fake-chat", "claude-fake-tools"];

const log = requestLog((headers) => headers["x-api-key"]);
const scriptedFailure = failureScript();
const ERROR_TYPES: Record<number, [string, string]> = {
  400: ["invalid_request_error", "messages: field required"],
  401: ["authentication_error", "invalid x-api-key"],
  404: ["not_found_error", "Not found"],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
  529: ["overloaded_error", "Overloaded"],
};

function sendError(res: ServerResponse, status: number, message?: string) {
  const [type, text] = ERROR_TYPES[status] ?? ["api_error", "Internal server error"];
  sendJson(res, status, { type: "error", error: { type, message: message ?? text } }, { "retry-after": "0" });
}

const blocks = (message: Message | undefined): Block[] =>
  typeof message?.content === "string" ? [{ type: "text", text: message.content }] : (message?.content ?? []);

function turnOf(messages: Message[]): Turn {
  const result = blocks(messages.at(-1)).find((block) => block.type === "tool_result");
  if (result) {
    const uses = messages.flatMap(blocks).filter((block) => block.type === "tool_use");
    const name = uses.find((use) => use.id === result.tool_use_id)?.name ?? "?";
    return { toolResult: { name, content: textOf(result.content) } };
  }
  const user = [...messages].reverse().find((message) => message.role === "user");
  return { userText: textOf(blocks(user)) };
}

function usageFor(request: MessagesRequest, reply: Reply) {
  const prompt = [textOf(request.system), ...request.messages.map((m) => textOf(blocks(m)))].join("\n");
  return {
    input_tokens: estimateTokens(prompt),
    output_tokens: estimateTokens("text" in reply ? reply.text : reply.tool.arguments),
  };
}

function contentOf(reply: Reply, id: string): Block {
  if ("text" in reply) return { type: "text", text: reply.text };
  return { type: "tool_use", id: `toolu_${id}`, name: reply.tool.name, input: JSON.parse(reply.tool.arguments) };
}

function streamReply(res: ServerResponse, request: MessagesRequest, reply: Reply, id: string) {
  startSse(res);
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const usage = usageFor(request, reply);
  const message = { id: `msg_${id}`, type: "message", role: "assistant", model: request.model, content: [] };
  send("message_start", {
    message: { ...message, stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  send("ping", {});
  if ("text" in reply) {
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    for (const text of pieces(reply.text))
      send("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
  } else {
    const use = { type: "tool_use", id: `toolu_${id}`, name: reply.tool.name, input: {} };
    send("content_block_start", { index: 0, content_block: use });
    for (const partial_json of pieces(reply.tool.arguments))
      send("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json } });
  }
  send("content_block_stop", { index: 0 });
  const stop_reason = "text" in reply ? "end_turn" : "tool_use";
  send("message_delta", { delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  send("message_stop", {});
  res.end();
}

function messages(res: ServerResponse, request: MessagesRequest) {
  if (typeof request?.model !== "string" || !Array.isArray(request.messages)) return sendError(res, 400);
  const failure = scriptedFailure(request.model);
  if (failure) return sendError(res, failure);
  const reply = scriptedReply(turnOf(request.messages));
  const id = Math.random().toString(36).slice(2, 14);
  if (request.stream) return streamReply(res, request, reply, id);
  sendJson(res, 200, {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model: request.model,
    content: [contentOf(reply, id)],
    stop_reason: "text" in reply ? "end_turn" : "tool_use",
    stop_sequence: null,
    usage: usageFor(request, reply),
  });
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://fake");
  if (url.pathname === "/__requests") return log.list(res, url);
  const { body } = await log.record(req, url, bodyModel);
  if (!/^sk-ant-fake-\S+$/.test(String(req.headers["x-api-key"] ?? ""))) return sendError(res, 401);
  if (!req.headers["anthropic-version"]) return sendError(res, 400, "anthropic-version: header is required");
  if (req.method === "GET" && url.pathname === "/v1/models") {
    const data = FAKE_ANTHROPIC_MODELS.map((id) => ({ type: "model", id, display_name: id, created_at: "" }));
    return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id, last_id: data.at(-1)?.id });
  }
  if (req.method === "POST" && url.pathname === "/v1/messages") return messages(res, body as MessagesRequest);
  return sendError(res, 404);
}

export function startFakeAnthropic() {
  return startModelServer(handle, (res, message) => sendError(res, 500, message));
}
