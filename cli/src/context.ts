/**
 * Turns the global options (--base-url, --api-key, --config and their EDGEWISE_*
 * environment variables) into what a command needs: the server, the config store
 * and an API client. Every command action starts with `contextFrom(command)`.
 */
import type { Command } from "commander";
import { ApiClient } from "./api-client";
import { ConfigStore, serverKey } from "./config-store";
import { CliError } from "./errors";
import { notice } from "./output";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787";

export type GlobalOptions = { baseUrl: string; apiKey?: string; config: string };

export type Context = { baseUrl: string; store: ConfigStore; client: ApiClient; apiKey: string | undefined };

function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError("invalid_base_url", `--base-url ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError("invalid_base_url", `--base-url must be http:// or https:// (got ${url.protocol})`);
  }
  return serverKey(value);
}

export function contextFrom(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const baseUrl = checkBaseUrl(options.baseUrl);
  const apiKey = options.apiKey?.trim() || undefined;
  const store = new ConfigStore(options.config);
  const client = new ApiClient({ baseUrl, apiKey, store, notice: (message) => notice(message) });
  return { baseUrl, store, client, apiKey };
}
