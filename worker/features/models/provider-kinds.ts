/**
 * The names of the provider kinds, apart from providers.ts (which loads the AI SDK and
 * the outbound guard), so that schemas.ts — and through it the console, for types — can
 * use them without loading either.
 */
export const BUILTIN_PROVIDERS = ["offline", "workers-ai"] as const;
export type BuiltinProvider = (typeof BUILTIN_PROVIDERS)[number];

/** Kinds a user can add; `workers-ai` is built in. */
export const USER_PROVIDER_KINDS = ["openai-compatible", "openai", "anthropic", "google"] as const;
export type UserProviderKind = (typeof USER_PROVIDER_KINDS)[number];

/** Provider names: lowercase slugs, the `provider` half of `provider:model`. */
export const PROVIDER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
