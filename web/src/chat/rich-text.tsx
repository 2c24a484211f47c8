/**
 * A message's text: fenced code blocks as <pre>, `inline code` as <code>, the rest
 * as plain text with its line breaks. Never HTML: model output is untrusted.
 */
import type { ReactNode } from "react";

const FENCE = /```[^\n]*\n?([\s\S]*?)(?:```|$)/g;

function inline(text: string, offset: number): ReactNode[] {
  let at = offset;
  return text.split(/(`[^`\n]+`)/g).map((part) => {
    const key = `t${at}`;
    at += part.length;
    return part.length > 2 && part.startsWith("`") && part.endsWith("`") ? (
      <code key={key}>{part.slice(1, -1)}</code>
    ) : (
      part
    );
  });
}

export function RichText({ text }: { text: string }) {
  const pieces: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(FENCE)) {
    const at = match.index ?? 0;
    if (at > last) pieces.push(...inline(text.slice(last, at), last));
    pieces.push(<pre key={`c${at}`}>{match[1]?.replace(/\n$/, "")}</pre>);
    last = at + match[0].length;
  }
  if (last < text.length) pieces.push(...inline(text.slice(last), last));
  return <div className="rich-text">{pieces}</div>;
}
