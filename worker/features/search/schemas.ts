/** Request and response shapes of GET /api/v1/messages/search. */
import { z } from "@hono/zod-openapi";

export const MessageSearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .openapi({ description: "Words to find, all of them; search syntax is treated as plain text" }),
  session_id: z.string().min(1).max(64).optional().openapi({ description: "Only this session's messages" }),
  agent_id: z.string().min(1).max(64).optional().openapi({ description: "Only sessions with this agent" }),
  limit: z.coerce.number().int().min(1).max(50).default(20).openapi({ description: "Results (1–50)" }),
});

export const MessageHitSchema = z
  .object({
    message_id: z.string(),
    session_id: z.string(),
    session_title: z.string(),
    agent_id: z.string(),
    role: z.string(),
    created_at: z.string().openapi({ format: "date-time" }),
    snippet: z.string().openapi({
      description: "HTML-escaped excerpt; the only markup is <mark>…</mark> around the matched words",
      example: "…the <mark>quarterly</mark> report shows…",
    }),
    score: z.number().openapi({ description: "Relevance (bm25, higher is better)" }),
  })
  .openapi("MessageSearchHit");

export const MessageSearchResultSchema = z
  .object({ items: z.array(MessageHitSchema).openapi({ description: "Best match first" }) })
  .openapi("MessageSearchResult");
