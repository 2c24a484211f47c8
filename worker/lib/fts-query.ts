/**
 * FTS5 MATCH expressions from words people typed. Every term is sent as a quoted
 * string, so FTS5 syntax in the input (AND, OR, NOT, NEAR, `col:`, `*`, `^`,
 * parentheses, quotes) is searched for as text and can neither change the query
 * nor make it fail to parse. Callers choose their own words and how they combine.
 */
export type FtsOptions = {
  /** `all` (the default): every term must match; `any`: one is enough. */
  match?: "all" | "any";
  /** Terms match as prefixes (`"kitch"*` finds kitchen). */
  prefix?: boolean;
};

/** The expression for `terms` (deduplicated), or null when there are none. */
export function ftsExpression(terms: readonly string[], options: FtsOptions = {}): string | null {
  const unique = [...new Set(terms)];
  if (unique.length === 0) return null;
  const quoted = unique.map((term) => `"${term.replaceAll('"', '""')}"${options.prefix ? "*" : ""}`);
  return quoted.join(options.match === "any" ? " OR " : " ");
}
