/**
 * Turns what a person typed into an FTS5 query that means "all of these words"
 * (quoting, and so safety from FTS5 syntax, is lib/fts-query.ts's).
 */
import { ftsExpression } from "../../lib/fts-query";

export const MAX_TERMS = 32;

/** Word-ish runs of the input: letters, numbers and joiners; everything else separates terms. */
const TERM = /[\p{L}\p{N}\p{M}_'’.-]+/gu;

/** The FTS5 MATCH expression for `input`, or null when it holds nothing searchable. */
export function ftsQuery(input: string): string | null {
  const terms = [...new Set(input.normalize("NFKC").match(TERM) ?? [])]
    .map((term) => term.replace(/^[.'’-]+|[.'’-]+$/g, ""))
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .slice(0, MAX_TERMS);
  return ftsExpression(terms);
}
