/**
 * Secret configuration fields (API keys, bearer tokens) at rest: split from the
 * plain fields, sealed as one AES-GCM blob per extension whose purpose label names
 * the user and extension, so a blob copied to another row does not open.
 */
import { z } from "zod";
import { decryptText, encryptText } from "../../lib/encryption";
import type { ConfigSpec } from "./manifest";

const SecretsSchema = z.record(z.string(), z.unknown());
const purpose = (userId: string, extension: string) => `extension-secrets:${userId}:${extension}`;

/** Splits a validated configuration into what is stored plainly and what is sealed. */
export function splitSecrets(spec: ConfigSpec, config: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    (spec.secretFields.includes(key) ? secrets : plain)[key] = value;
  }
  return { plain, secrets };
}

export async function sealSecrets(
  env: Env,
  userId: string,
  extension: string,
  secrets: Record<string, unknown>,
): Promise<string | null> {
  if (Object.keys(secrets).length === 0) return null;
  return encryptText(env.ENCRYPTION_KEY, purpose(userId, extension), JSON.stringify(secrets));
}

export async function openSecrets(
  env: Env,
  userId: string,
  extension: string,
  sealed: string | null,
): Promise<Record<string, unknown>> {
  if (!sealed) return {};
  return SecretsSchema.parse(JSON.parse(await decryptText(env.ENCRYPTION_KEY, purpose(userId, extension), sealed)));
}
