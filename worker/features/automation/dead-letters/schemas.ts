/** Request and response shapes of /api/v1/dead-letters. */
import { z } from "@hono/zod-openapi";
import { DEAD_LETTER_SOURCES, type deadLetters } from "../../../db/schema";
import { pageSchema } from "../../../lib/pagination";
import { toIso, toIsoOrNull } from "../../../lib/time";

export const DeadLetterSchema = z
  .object({
    id: z.string(),
    source: z.enum(DEAD_LETTER_SOURCES),
    source_id: z.string().openapi({ description: "The task, webhook delivery or workflow run that gave up" }),
    summary: z.string(),
    error: z.string(),
    attempts: z.number().int(),
    payload: z.unknown(),
    replay_count: z.number().int(),
    replayed_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("DeadLetter");

export function toDeadLetter(row: typeof deadLetters.$inferSelect): z.infer<typeof DeadLetterSchema> {
  return {
    id: row.id,
    source: row.source,
    source_id: row.sourceId,
    summary: row.summary,
    error: row.error,
    attempts: row.attempts,
    payload: row.payload ?? null,
    replay_count: row.replayCount,
    replayed_at: toIsoOrNull(row.replayedAt),
    created_at: toIso(row.createdAt),
  };
}

export const DeadLetterPageSchema = pageSchema(DeadLetterSchema, "DeadLetterPage");
export const DeadLetterListQuery = z.object({
  source: z.enum(DEAD_LETTER_SOURCES).optional(),
  replayed: z.enum(["true", "false"]).optional().openapi({ description: "Only replayed (or never replayed) letters" }),
});
export const DeadLetterIdParam = z.object({ id: z.string().min(1).max(64) });
export const ReplayResultSchema = z
  .object({
    dead_letter: DeadLetterSchema,
    requeued: z.object({ source: z.enum(DEAD_LETTER_SOURCES), id: z.string(), status: z.string() }),
  })
  .openapi("DeadLetterReplay");
