/** Helpers for the tool, extension and MCP suites: run tools and install extensions through the API. */
import { env } from "cloudflare:workers";
import { call, json, type TestUser } from "./api";
import { fakeWebHost, setConfig } from "./config";

export type Outcome = {
  execution_id: string;
  status: string;
  output?: Record<string, unknown>;
  error?: { code: string; message: string; details?: unknown };
  execution_time_ms: number;
  cost_micros: number;
};

export type Extension = {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets: Record<string, { configured: boolean }>;
  tools: { name: string; dangerous: boolean }[];
};

type Credential = { token: string } | { apiKey: string };

export const as = (user: TestUser): Credential => ({ token: user.accessToken });

export function runTool(credential: Credential, name: string, body: Record<string, unknown>) {
  return call(`/api/v1/tools/${name}/execute`, { ...credential, body });
}

/** Runs a tool that must answer 200, and returns its outcome. */
export async function outcomeOf(
  credential: Credential,
  name: string,
  input: unknown,
  extra: Record<string, unknown> = {},
) {
  const res = await runTool(credential, name, { input, ...extra });
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
  return json<Outcome>(res);
}

export async function install(credential: Credential, body: Record<string, unknown>): Promise<Extension> {
  const res = await call("/api/v1/extensions", { ...credential, body });
  if (res.status !== 201) throw new Error(`install failed: ${res.status} ${await res.text()}`);
  return json<Extension>(res);
}

export function mcpHost(): string {
  return new URL(env.FAKE_MCP_URL).host;
}

/** Lets outbound fetches reach the local fake web and fake MCP server (both on 127.0.0.1). */
export async function allowLocalServers(overrides: { timeout_ms?: number } = {}) {
  await setConfig("outbound", {
    allow_private_hosts: [fakeWebHost(), mcpHost()],
    max_response_bytes: 2_000_000,
    timeout_ms: overrides.timeout_ms ?? 10_000,
  });
}
