/**
 * The file-jobs queue's consumer (the Worker's `queue` handler; ./queue.ts sends them):
 * extraction after upload, then (when the upload asked for it) indexing into the
 * knowledge base. Unreadable documents are an outcome, not a failure: the
 * message is acknowledged and the row says why. Either way the owner's live hub
 * hears how extraction ended (./extraction-events.ts). Anything else is retried,
 * then dead-lettered.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { files } from "../../db/schema";
import { AppError } from "../../errors";
import { indexFile } from "../knowledge/indexer";
import { flushMetrics } from "../observability/collector";
import { announceExtracted, announceFailed } from "./extraction-events";
import { type FileJob, FileJobSchema } from "./queue";
import { runExtraction } from "./service";

export async function runFileJob(env: Env, job: FileJob): Promise<"done" | "failed" | "gone"> {
  const row = await getDb(env).query.files.findFirst({
    where: and(eq(files.id, job.file_id), eq(files.userId, job.user_id)),
  });
  if (!row) return "gone";
  try {
    const document = await runExtraction(env, row).catch(async (error) => {
      if (isOutcome(error)) await announceFailed(env, row, error);
      throw error;
    });
    await announceExtracted(env, row, document);
    if (job.index) await indexFile(env, job.user_id, row.id);
  } catch (error) {
    if (isOutcome(error)) return "failed";
    throw error;
  }
  return "done";
}

/** Unreadable or empty documents are outcomes the file's row records; anything else is retried. */
const isOutcome = (error: unknown): error is AppError => error instanceof AppError && error.status < 500;

export async function handleFileJobs(batch: MessageBatch<unknown>, env: Env) {
  for (const message of batch.messages) {
    const job = FileJobSchema.safeParse(message.body);
    if (!job.success) {
      console.error(JSON.stringify({ level: "error", msg: "malformed file job dropped", id: message.id }));
      message.ack();
      continue;
    }
    try {
      await runFileJob(env, job.data);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ level: "error", msg: "file job failed", job: job.data, error: String(error) }));
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
  // No HTTP response schedules a flush here: send this batch's samples now.
  await flushMetrics(env);
}
