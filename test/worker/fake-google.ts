/**
 * A local server speaking the Google Generative Language API
 * (`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `GET /v1beta/models`), started by the worker suite's globalSetup, so the `google`
 * provider kind is tested over real HTTP through the outbound guard. Replies are
 * scripted as in fake-model-server.ts: a `functionResponse` part → `tool <name>
 * returned <content>`; user `call: <tool> <json>` → a `functionCall` part; `say: <text>` → `<text>`.
 * Model names: `flaky-<429|503|500>-N…` fails N times then succeeds; `always-<status>…`
 * always fails. Errors use Google's `{error:{code, message, status}}` shape with
 * `retry-after: 0`, so the AI SDK's retries stay fast.
 * Keys: `x-goog-api-key: fake-goog-…` is required (400 API_KEY_INVALID otherwise, as Google does).
 * GET /__requests?model=&key= returns the recorded requests.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
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

type Part =
  | { text: string }
  | { functionCall: { name: string; args: unknown } }
  | { functionResponse: { name: string; response?: { content?: unknown } } };
type Content = { role?: "user" | "model"; parts: Part[] };
type GenerateRequest = { contents: Content[]; systemInstruction?: Content };

export const FAKE_GOOGLE_MODELS = ["gemini-fake-chat", "gemini-fake-tools"];

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const log = requestLog((headers) => headers["x-goog-api-key"]);
const scriptedFailure = failureScript();
const STATUSES: Record<number, [string, string]> = {
  400: ["INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."],
  404: ["NOT_FOUND", "Requested entity was not found."],
  429: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
};

function sendError(res: ServerResponse, code: number, message?: string) {
  const [status, text] = STATUSES[code] ?? ["INTERNAL", "An internal error has occurred."];
  sendJson(res, code, { error: { code, message: message ?? text, status } }, { "retry-after": "0" });
}

const partsText = (content: Content | undefined) =>
  textOf((content?.parts ?? []).filter((part): part is { text: string } => "text" in part));

function turnOf(contents: Content[]): Turn {
  const result = contents.at(-1)?.parts.find((part) => "functionResponse" in part);
  if (result) {
    const { name, response } = result.functionResponse;
    return { toolResult: { name, content: textOf(response?.content) } };
  }
  return { userText: partsText([...contents].reverse().find((content) => content.role !== "model")) };
}

function usageFor(request: GenerateRequest, reply: Reply) {
  const prompt = estimateTokens([request.systemInstruction, ...request.contents].map(partsText).join("\n"));
  const candidates = estimateTokens("text" in reply ? reply.text : reply.tool.arguments);
  return { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates };
}

const candidate = (parts: Part[], finishReason?: string) => ({
  content: { role: "model", parts },
  index: 0,
  ...(finishReason ? { finishReason } : {}),
});

function replyParts(reply: Reply): Part[] {
  if ("text" in reply) return [{ text: reply.text }];
  return [{ functionCall: { name: reply.tool.name, args: JSON.parse(reply.tool.arguments) } }];
}

/** Gemini streams text in pieces but a function call whole; the last chunk carries finishReason and usage. */
function streamReply(res: ServerResponse, request: GenerateRequest, model: string, reply: Reply, id: string) {
  startSse(res);
  const send = (chunk: Record<string, unknown>) =>
    res.write(`data: ${JSON.stringify({ ...chunk, modelVersion: model, responseId: id })}\r\n\r\n`);
  const chunks = "text" in reply ? pieces(reply.text).map((text) => [{ text }]) : [replyParts(reply)];
  for (const [index, parts] of chunks.entries()) {
    const last = index === chunks.length - 1;
    send({
      candidates: [candidate(parts, last ? "STOP" : undefined)],
      ...(last ? { usageMetadata: usageFor(request, reply) } : {}),
    });
  }
  res.end();
}

function generate(res: ServerResponse, url: URL, request: GenerateRequest) {
  const [, model, method] = ROUTE.exec(url.pathname)!;
  if (!Array.isArray(request?.contents)) return sendError(res, 400, "contents: field required");
  const failure = scriptedFailure(model!);
  if (failure) return sendError(res, failure);
  const reply = scriptedReply(turnOf(request.contents));
  const id = Math.random().toString(36).slice(2, 14);
  if (method === "streamGenerateContent") {
    if (url.searchParams.get("alt") !== "sse") return sendError(res, 400, "this fake streams only with alt=sse");
    return streamReply(res, request, model!, reply, id);
  }
  sendJson(res, 200, {
    candidates: [candidate(replyParts(reply), "STOP")],
    usageMetadata: usageFor(request, reply),
    modelVersion: model,
    responseId: id,
  });
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://fake");
  if (url.pathname === "/__requests") return log.list(res, url);
  const { body } = await log.record(req, url, () => ROUTE.exec(url.pathname)?.[1] ?? null);
  if (!/^fake-goog-\S+$/.test(String(req.headers["x-goog-api-key"] ?? ""))) return sendError(res, 400);
  if (req.method === "GET" && url.pathname === "/v1beta/models")
    return sendJson(res, 200, { models: FAKE_GOOGLE_MODELS.map((id) => ({ name: `models/${id}`, displayName: id })) });
  if (req.method === "POST" && ROUTE.test(url.pathname)) return generate(res, url, body as GenerateRequest);
  return sendError(res, 404);
}

export function startFakeGoogle() {
  return startModelServer(handle, (res, message) => sendError(res, 500, message));
}
