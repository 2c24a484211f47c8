/**
 * The hosted-API fakes (test/worker/fake-anthropic.ts, fake-google.ts) as tests see
 * them: how each is added as a provider, the header its key travels in, the status it
 * answers when overloaded, and how to read back what it received. Used by the models
 * and sessions suites, which run the same cases against both.
 */
import { env } from "cloudflare:workers";
import { call, type TestUser } from "./api";
import { setConfig } from "./config";

export type Recorded = {
  path: string;
  model: string | null;
  headers: Record<string, string>;
  body: Record<string, unknown>;
};

export type HostedFake = {
  kind: "anthropic" | "google";
  url: () => string;
  /** The provider's base_url: what the SDK appends its paths to. */
  baseUrl: () => string;
  newKey: () => string;
  keyHeader: string;
  /** Model ids its GET models lists. */
  listed: string[];
  /** The API's "try again later" status (retried by the AI SDK). */
  overloaded: number;
  rateLimitMessage: string;
  /** How a wrong key is answered. */
  badKey: { status: number; message: string };
  /** A fragment of the follow-up request that carries a tool's result back. */
  toolResultMarker: string;
};

export const HOSTED_FAKES: HostedFake[] = [
  {
    kind: "anthropic",
    url: () => env.FAKE_ANTHROPIC_URL,
    baseUrl: () => `${env.FAKE_ANTHROPIC_URL}/v1`,
    newKey: () => `sk-ant-fake-${crypto.randomUUID()}`,
    keyHeader: "x-api-key",
    listed: ["claude-fake-chat", "claude-fake-tools"],
    overloaded: 529,
    rateLimitMessage: "Number of request tokens has exceeded your per-minute rate limit",
    badKey: { status: 401, message: "invalid x-api-key" },
    toolResultMarker: '"type":"tool_result"',
  },
  {
    kind: "google",
    url: () => env.FAKE_GOOGLE_URL,
    baseUrl: () => `${env.FAKE_GOOGLE_URL}/v1beta`,
    newKey: () => `fake-goog-${crypto.randomUUID()}`,
    keyHeader: "x-goog-api-key",
    listed: ["gemini-fake-chat", "gemini-fake-tools"],
    overloaded: 503,
    rateLimitMessage: "Resource has been exhausted (e.g. check quota).",
    badKey: { status: 400, message: "API key not valid. Please pass a valid API key." },
    toolResultMarker: '"functionResponse"',
  },
];

/** Lets the outbound guard reach every local model fake (they listen on 127.0.0.1). */
export const allowModelFakes = () =>
  setConfig("outbound", {
    allow_private_hosts: [env.FAKE_ANTHROPIC_URL, env.FAKE_GOOGLE_URL].map((url) => new URL(url).host),
    max_response_bytes: 2_000_000,
    timeout_ms: 10_000,
  });

export async function requestsTo(fake: HostedFake, query: Record<string, string>): Promise<Recorded[]> {
  return (await fetch(`${fake.url()}/__requests?${new URLSearchParams(query)}`)).json();
}

/** Adds the fake as one of the user's providers; returns its id. */
export async function addHostedProvider(user: TestUser, fake: HostedFake, name: string, apiKey: string) {
  const res = await call("/api/v1/providers", {
    token: user.accessToken,
    body: { name, kind: fake.kind, base_url: fake.baseUrl(), api_key: apiKey },
  });
  if (res.status !== 201) throw new Error(`provider create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export const uniqueModel = (model: string) => `${model}-${crypto.randomUUID().slice(0, 8)}`;
