/**
 * Turns what a person typed into an FTS5 query that means "all of these words".
 * Every term is sent as a quoted string, so FTS5 syntax in the input (AND, OR,
 * NOT, NEAR, `col:`, `*`, `^`, parentheses, quotes) is searched for as text and
 * can neither change the query nor make it fail to parse.
 */

export const MAX_TERMS = 32;

/** Word-ish runs of the input: letters, numbers and joiners; everything else separates terms. */
const TERM = /[\p{L}\p{N}\p{M}_'’.-]+/gu;

/** The FTS5 MATCH expression for `input`, or null when it holds nothing searchable. */
export function ftsQuery(input: string): string | null {
  const terms = [...new Set(input.normalize("NFKC").match(TERM) ?? [])]
    .map((term) => term.replace(/^[.'’-]+|[.'’-]+$/g, ""))
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .slice(0, MAX_TERMS);
  if (terms.length === 0) return null;
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(" ");
}
