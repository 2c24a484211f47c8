/**
 * Marks the query's words in a text: any word starting with a query term (so
 * "invoice" marks "invoices"), matched without regard to case or accents.
 */
import type { ReactNode } from "react";

const fold = (text: string) =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

export function Highlight({ text, terms }: { text: string; terms: string[] }) {
  const wanted = terms.map(fold).filter((term) => term.length > 1);
  if (!wanted.length) return <>{text}</>;
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = fold(match[0]);
    if (!wanted.some((term) => word.startsWith(term) || (term.length > 4 && term.startsWith(word)))) continue;
    const start = match.index ?? 0;
    parts.push(text.slice(last, start), <mark key={start}>{match[0]}</mark>);
    last = start + match[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
