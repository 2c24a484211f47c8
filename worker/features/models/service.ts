/**
 * Users' model providers: create, list, read, update, delete, each owner-scoped and
 * audited in the same batch. API keys are AES-GCM encrypted at rest and only their
 * last four characters are ever readable; base URLs must pass the outbound guard
 * (unless an admin allowlisted the host) before they are stored.
 */
import { and, eq, inArray } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { modelProviders } from "../../db/schema";
import { AppError } from "../../errors";
import { decryptText, encryptText } from "../../lib/encryption";
import { newId } from "../../lib/ids";
import { keyset, toPage } from "../../lib/pagination";
import type { RequestMeta } from "../../lib/request-meta";
import { actorOf, auditInsert } from "../audit/record";
import type { Principal } from "../auth/principal";
import { assertOutboundAllowed, OutboundError } from "../outbound/guarded-fetch";
import type { UserProviderKind } from "./providers";
import { type CreateProviderInput, toProvider, type UpdateProviderInput } from "./schemas";

export type ProviderRow = typeof modelProviders.$inferSelect;

const KEY_PURPOSE = "model-provider-api-key";
/** Keys shorter than this get no hint: four characters would give away too much of them. */
const HINT_MIN_LENGTH = 12;

const isUniqueViolation = (error: unknown) => String((error as Error)?.message).includes("UNIQUE constraint failed");

/** The provider's API key in plaintext, for a call to the provider; 422 when it no longer decrypts (a rotated ENCRYPTION_KEY). */
export async function decryptApiKey(env: Env, row: ProviderRow): Promise<string | undefined> {
  if (!row.apiKeyEncrypted) return undefined;
  try {
    return await decryptText(env.ENCRYPTION_KEY, KEY_PURPOSE, row.apiKeyEncrypted);
  } catch {
    throw new AppError(
      422,
      "api_key_unreadable",
      `The API key of provider ${row.name} cannot be decrypted; set it again`,
    );
  }
}

async function sealKey(env: Env, apiKey: string) {
  return {
    apiKeyEncrypted: await encryptText(env.ENCRYPTION_KEY, KEY_PURPOSE, apiKey),
    apiKeyHint: apiKey.length >= HINT_MIN_LENGTH ? `…${apiKey.slice(-4)}` : null,
  };
}

/** 422 unless the kind has what it needs: a base URL for OpenAI-compatible servers, a key for hosted APIs. */
function assertComplete(kind: UserProviderKind, baseUrl: string | null, hasKey: boolean) {
  if (kind === "openai-compatible" && !baseUrl)
    throw new AppError(422, "invalid_provider", "An openai-compatible provider needs a base_url");
  if (kind !== "openai-compatible" && !hasKey)
    throw new AppError(422, "invalid_provider", `A ${kind} provider needs an api_key`);
}

/** 422 when the outbound guard would refuse the base URL (private, loopback, metadata… unless allowlisted). */
async function assertBaseUrlAllowed(env: Env, baseUrl: string) {
  try {
    await assertOutboundAllowed(env, new URL(baseUrl));
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    throw new AppError(422, "base_url_refused", `base_url is not reachable from Edgewise: ${error.message}`, {
      reason: error.message,
    });
  }
}

const normalizeBaseUrl = (url: string) => url.replace(/\/+$/, "");

/** What the audit log keeps of a provider: never the key, only whether one is set (masked again by auditInsert). */
const auditView = (row: Pick<ProviderRow, "name" | "kind" | "baseUrl" | "apiKeyEncrypted">) => ({
  name: row.name,
  kind: row.kind,
  base_url: row.baseUrl,
  api_key: row.apiKeyEncrypted ? "set" : null,
});

function nameTaken(name: string) {
  return new AppError(409, "provider_name_taken", `You already have a provider called ${name}`);
}

export async function createProvider(env: Env, principal: Principal, input: CreateProviderInput, meta: RequestMeta) {
  const baseUrl = input.base_url ? normalizeBaseUrl(input.base_url) : null;
  assertComplete(input.kind, baseUrl, Boolean(input.api_key));
  if (baseUrl) await assertBaseUrlAllowed(env, baseUrl);
  const db = getDb(env);
  const now = Date.now();
  const row: ProviderRow = {
    id: newId(),
    userId: principal.userId,
    name: input.name,
    kind: input.kind,
    baseUrl,
    ...(input.api_key ? await sealKey(env, input.api_key) : { apiKeyEncrypted: null, apiKeyHint: null }),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.batch([
      db.insert(modelProviders).values(row),
      auditInsert(db, meta, actorOf(principal), {
        ownerId: principal.userId,
        action: "model_provider.create",
        resourceType: "model_provider",
        resourceId: row.id,
        newValues: auditView(row),
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
  return toProvider(row);
}

export async function listProviders(db: Db, userId: string, query: { limit: number; cursor?: string | undefined }) {
  const page = keyset(modelProviders, query.cursor);
  const rows = await db
    .select()
    .from(modelProviders)
    .where(and(eq(modelProviders.userId, userId), page.where))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toProvider);
}

/** The caller's own provider; another user's id is indistinguishable from a missing one. */
export async function getOwnProvider(db: Db, userId: string, id: string): Promise<ProviderRow> {
  const row = await db.query.modelProviders.findFirst({
    where: and(eq(modelProviders.id, id), eq(modelProviders.userId, userId)),
  });
  if (!row) throw new AppError(404, "not_found", "Model provider not found");
  return row;
}

/** The user's providers with these names (one query for a whole fallback chain). */
export async function providersByName(env: Env, userId: string, names: readonly string[]): Promise<ProviderRow[]> {
  if (names.length === 0) return [];
  return getDb(env)
    .select()
    .from(modelProviders)
    .where(and(eq(modelProviders.userId, userId), inArray(modelProviders.name, [...names])));
}

export async function updateProvider(
  env: Env,
  principal: Principal,
  id: string,
  patch: UpdateProviderInput,
  meta: RequestMeta,
) {
  const db = getDb(env);
  const before = await getOwnProvider(db, principal.userId, id);
  const baseUrl =
    patch.base_url === undefined ? before.baseUrl : patch.base_url === null ? null : normalizeBaseUrl(patch.base_url);
  const key =
    patch.api_key === undefined
      ? { apiKeyEncrypted: before.apiKeyEncrypted, apiKeyHint: before.apiKeyHint }
      : patch.api_key === null
        ? { apiKeyEncrypted: null, apiKeyHint: null }
        : await sealKey(env, patch.api_key);
  assertComplete(before.kind as UserProviderKind, baseUrl, key.apiKeyEncrypted !== null);
  if (baseUrl && baseUrl !== before.baseUrl) await assertBaseUrlAllowed(env, baseUrl);
  const after: ProviderRow = { ...before, name: patch.name ?? before.name, baseUrl, ...key, updatedAt: Date.now() };
  try {
    await db.batch([
      db
        .update(modelProviders)
        .set({ name: after.name, baseUrl, ...key, updatedAt: after.updatedAt })
        .where(and(eq(modelProviders.id, id), eq(modelProviders.userId, principal.userId))),
      auditInsert(db, meta, actorOf(principal), {
        ownerId: principal.userId,
        action: "model_provider.update",
        resourceType: "model_provider",
        resourceId: id,
        oldValues: auditView(before),
        newValues: { ...auditView(after), key_replaced: typeof patch.api_key === "string" },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(after.name);
    throw error;
  }
  return toProvider(after);
}

export async function deleteProvider(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const db = getDb(env);
  const row = await getOwnProvider(db, principal.userId, id);
  await db.batch([
    db.delete(modelProviders).where(and(eq(modelProviders.id, id), eq(modelProviders.userId, principal.userId))),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: principal.userId,
      action: "model_provider.delete",
      resourceType: "model_provider",
      resourceId: id,
      oldValues: auditView(row),
    }),
  ]);
}
