/**
 * "Does this provider work?": lists its models through its own API (through the
 * outbound guard), which proves the base URL, the network path and the key at once.
 * Used by POST /providers/{id}/check.
 */
import { AppError } from "../../errors";
import { guardedFetch, OutboundError } from "../outbound/guarded-fetch";
import { DEFAULT_BASE_URLS, type UserProviderKind } from "./providers";

const CHECK_LIMITS = { timeoutMs: 15_000, maxBytes: 5_000_000 };
const ANTHROPIC_VERSION = "2023-06-01";

type Listing = { url: string; headers: Record<string, string>; ids: (body: unknown) => string[] };

const dataIds = (body: unknown) =>
  ((body as { data?: Array<{ id?: unknown }> }).data ?? []).map((model) => String(model.id));

function listingFor(kind: UserProviderKind, baseUrl: string | null, apiKey: string | undefined): Listing {
  const base = baseUrl ?? (kind === "openai-compatible" ? "" : DEFAULT_BASE_URLS[kind]);
  const bearer: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  switch (kind) {
    case "openai-compatible":
    case "openai":
      return { url: `${base}/models`, headers: bearer, ids: dataIds };
    case "anthropic":
      return {
        url: `${base}/models`,
        headers: { "x-api-key": apiKey ?? "", "anthropic-version": ANTHROPIC_VERSION },
        ids: dataIds,
      };
    case "google":
      return {
        url: `${base}/models`,
        headers: { "x-goog-api-key": apiKey ?? "" },
        ids: (body) =>
          ((body as { models?: Array<{ name?: unknown }> }).models ?? []).map((model) =>
            String(model.name).replace(/^models\//, ""),
          ),
      };
  }
}

/** The provider's error message from a JSON error body (OpenAI, Anthropic and Google shapes), else the text. */
function providerMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string" && message) return message.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500) || "no error message";
}

function checkFailed(message: string, details: Record<string, unknown>) {
  return new AppError(422, "provider_check_failed", `The provider did not answer as expected: ${message}`, details);
}

/** The model ids the provider lists, or 422 provider_check_failed with the provider's (or the guard's) error. */
export async function listProviderModels(
  env: Env,
  provider: { kind: UserProviderKind; baseUrl: string | null },
  apiKey: string | undefined,
): Promise<string[]> {
  const listing = listingFor(provider.kind, provider.baseUrl, apiKey);
  let res: Response;
  try {
    res = await guardedFetch(env, listing.url, { headers: listing.headers }, CHECK_LIMITS);
  } catch (error) {
    if (error instanceof OutboundError) throw checkFailed(error.message, { code: error.code });
    throw error;
  }
  const text = await res.text().catch((error: unknown) => {
    throw checkFailed(String(error), { status: res.status });
  });
  if (!res.ok) throw checkFailed(providerMessage(text), { status: res.status });
  try {
    return listing.ids(JSON.parse(text)).filter(Boolean).sort();
  } catch {
    throw checkFailed("its model list is not JSON", { status: res.status });
  }
}
