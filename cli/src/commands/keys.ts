/**
 * `edgewise keys create|ls|revoke`: API keys with scoped permissions. The secret
 * exists only in the create response, so it is printed once, alone on stdout
 * (`SECRET=$(edgewise keys create …)` works), with a warning on stderr.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { ApiClient } from "../api-client";
import { ApiKey, ApiKeyPage, CreatedApiKey } from "../api-types";
import { contextFrom } from "../context";
import { CliError } from "../errors";
import { notice, printJson, printLine, renderTable, shortDate } from "../output";

const KEY_PREFIX = "ewk_";

/** `--scope a --scope b,c` → [a, b, c]. */
function collectScopes(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((scope) => scope.trim())
      .filter(Boolean),
  ];
}

function parseExpiry(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError("expected an ISO 8601 date or date-time, e.g. 2027-01-31T00:00:00Z");
  }
  return date.toISOString();
}

function statusOf(key: ApiKey, now = Date.now()): string {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  return "active";
}

/** Every page of the list, following `next_cursor`. */
async function listAll(client: ApiClient, includeRevoked: boolean): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  do {
    const query = { limit: 100, cursor, include_revoked: includeRevoked ? "true" : undefined };
    const page = await client.get("/keys", ApiKeyPage, query);
    keys.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return keys;
}

type CreateOptions = { name: string; scope?: string[]; expiresAt?: string; json?: boolean };

async function create(options: CreateOptions, command: Command): Promise<void> {
  const scopes = [...new Set(options.scope ?? [])];
  if (scopes.length === 0) {
    throw new CliError("usage", "give at least one --scope (e.g. --scope events:read); `edgewise whoami` lists yours");
  }
  const { client } = contextFrom(command);
  const body = { name: options.name, scopes, expires_at: options.expiresAt };
  const { key, secret } = await client.post("/keys", CreatedApiKey, body, { idempotent: true });
  if (options.json) printJson({ key, secret });
  else {
    const expiry = key.expires_at ? `expires ${shortDate(key.expires_at)}` : "never expires";
    notice(`Created API key "${key.name}" (${key.id}), scopes ${key.scopes.join(", ")}; ${expiry}.`);
    printLine(secret);
  }
  notice("warning: this is the only time the secret is shown; store it somewhere safe now.");
}

async function list(options: { all?: boolean; json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const keys = await listAll(client, options.all === true);
  if (options.json) return printJson(keys);
  if (keys.length === 0) return notice("No API keys yet; create one with `edgewise keys create`.");
  const headers = ["ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "EXPIRES", "STATUS"];
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.prefix,
    key.scopes.join(","),
    shortDate(key.created_at),
    shortDate(key.last_used_at),
    shortDate(key.expires_at),
    statusOf(key),
  ]);
  printLine(renderTable(headers, rows));
}

/** An id as given, or the id of the one active key whose prefix (or whole secret) was given. */
async function resolveKeyId(client: ApiClient, reference: string): Promise<string> {
  if (!reference.startsWith(KEY_PREFIX)) return reference;
  const matches = (await listAll(client, false)).filter(
    (key) => reference.startsWith(key.prefix) || key.prefix.startsWith(reference),
  );
  if (matches.length === 1 && matches[0]) return matches[0].id;
  const problem = matches.length === 0 ? "no active key matches" : `${matches.length} keys match`;
  throw new CliError("key_not_found", `${problem} ${reference}; give the key's id (see \`edgewise keys ls\`)`);
}

async function revoke(reference: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const id = await resolveKeyId(client, reference);
  const key = await client.delete(`/keys/${encodeURIComponent(id)}`, ApiKey);
  if (options.json) printJson(key);
  else printLine(`Revoked API key "${key.name}" (${key.id}); it no longer works.`);
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("create, list and revoke API keys");
  keys
    .command("create")
    .description("create an API key; its secret is shown once")
    .requiredOption("--name <name>", "a name to recognise the key by")
    .option(
      "--scope <scope>",
      "a permission for the key, e.g. events:read (repeatable, or comma-separated)",
      collectScopes,
    )
    .option("--expires-at <iso>", "when the key stops working (ISO 8601); never if omitted", parseExpiry)
    .option("--json", "print the key and its secret as JSON")
    .action(create);
  keys
    .command("ls")
    .alias("list")
    .description("list your API keys, newest first")
    .option("--all", "include revoked keys")
    .option("--json", "print the keys as JSON")
    .action(list);
  keys
    .command("revoke")
    .description("revoke an API key; it stops working at once")
    .argument("<id>", "the key's id, or its prefix (ewk_…) as `keys ls` shows it")
    .option("--json", "print the revoked key as JSON")
    .action(revoke);
}
