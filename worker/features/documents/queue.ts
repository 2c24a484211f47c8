/**
 * The file-jobs queue (wrangler.toml: producer binding FILE_JOBS): what a job
 * says and how uploads send one. ./jobs.ts consumes them.
 */
import { z } from "@hono/zod-openapi";

export const FileJobSchema = z.object({
  kind: z.literal("extract"),
  user_id: z.string(),
  file_id: z.string(),
  /** Index the text into the knowledge base once extracted. */
  index: z.boolean().default(false),
});
export type FileJob = z.infer<typeof FileJobSchema>;

export async function enqueueExtraction(env: Env, job: { userId: string; fileId: string; index?: boolean }) {
  await env.FILE_JOBS.send({ kind: "extract", user_id: job.userId, file_id: job.fileId, index: job.index ?? false });
}
