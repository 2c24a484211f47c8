/**
 * Full-text search over a user's chat messages: the FTS5 table `message_search`
 * (migrations/0002), which each ChatSession Durable Object fills as messages
 * persist, joined to the user's chat_sessions for titles. Every query is scoped
 * by user_id on both tables; results rank by bm25, best first.
 */
import { toIso } from "../../lib/time";
import { ftsQuery } from "./fts-query";

export type SearchQuery = { q: string; sessionId?: string | undefined; agentId?: string | undefined; limit: number };

// Private-use characters mark the hits inside snippet(); the text is HTML-escaped
// before they become <mark> tags, so message content can never inject markup.
const OPEN = "\uE000";
const CLOSE = "\uE001";
const SNIPPET_TOKENS = 24;

type Row = {
  message_id: string;
  session_id: string;
  role: string;
  created_at: number | string;
  snippet: string;
  rank: number;
  title: string;
  agent_id: string;
};

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function highlight(snippet: string): string {
  return snippet
    .replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!)
    .replaceAll(OPEN, "<mark>")
    .replaceAll(CLOSE, "</mark>");
}

/** The DO writes epoch milliseconds; tolerate an ISO string too. */
function createdAtIso(value: number | string): string {
  const ms = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? toIso(ms) : String(value);
}

export async function searchMessages(env: Env, userId: string, query: SearchQuery) {
  const match = ftsQuery(query.q);
  if (!match) return { items: [] };
  const { results } = await env.DB.prepare(
    `SELECT m.message_id, m.session_id, m.role, m.created_at, s.title, s.agent_id,
            snippet(message_search, 0, ?1, ?2, '…', ${SNIPPET_TOKENS}) AS snippet,
            bm25(message_search) AS rank
       FROM message_search m
       JOIN chat_sessions s ON s.id = m.session_id AND s.user_id = m.user_id
      WHERE message_search MATCH ?3 AND m.user_id = ?4
        AND (?5 IS NULL OR m.session_id = ?5) AND (?6 IS NULL OR s.agent_id = ?6)
      ORDER BY rank
      LIMIT ?7`,
  )
    .bind(OPEN, CLOSE, match, userId, query.sessionId ?? null, query.agentId ?? null, query.limit)
    .all<Row>();
  return {
    items: results.map((row) => ({
      message_id: row.message_id,
      session_id: row.session_id,
      session_title: row.title,
      agent_id: row.agent_id,
      role: row.role,
      created_at: createdAtIso(row.created_at),
      snippet: highlight(row.snippet),
      score: Math.round(-row.rank * 1000) / 1000,
    })),
  };
}
