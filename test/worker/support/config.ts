/** Sets a system setting straight in D1 and drops the cached copy (the test shares the Worker's isolate). */
import { env } from "cloudflare:workers";
import type { ConfigKey, ConfigValue } from "../../../worker/features/config/registry";
import { invalidateConfigCache, upsertConfigStatement } from "../../../worker/features/config/service";

export async function setConfig<K extends ConfigKey>(key: K, value: ConfigValue<K>): Promise<void> {
  await upsertConfigStatement(env, key, value, "test");
  invalidateConfigCache();
}

/** The fake web's host:port, for the outbound allowlist. */
export function fakeWebHost(): string {
  return new URL(env.FAKE_WEB_URL).host;
}
