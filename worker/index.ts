/**
 * The Worker's entry: the Hono app for HTTP, housekeeping on cron, file jobs from
 * the queue, and the Durable Object classes wrangler.toml binds. No logic lives here.
 */
import { createApp } from "./app";
import { AUTOMATION_CRON, runAutomationSweep } from "./features/automation/engine/sweep";
import { handleFileJobs } from "./features/documents/jobs";
import { runHousekeeping } from "./features/housekeeping/cleanup";

export { ChatSession } from "../durable-objects/chat-session/chat-session";
export { GraphSync } from "../durable-objects/graph-sync/graph-sync";
export { MetricsHub } from "../durable-objects/metrics-hub/metrics-hub";
export { RateLimiter } from "../durable-objects/rate-limiter/rate-limiter";
export { TaskQueue } from "../durable-objects/task-queue/task-queue";
export { UserHub } from "../durable-objects/user-hub/user-hub";
export { VectorShard } from "../durable-objects/vector-shard/vector-shard";
export { WorkflowRun } from "../durable-objects/workflow-run/workflow-run";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(controller.cron === AUTOMATION_CRON ? runAutomationSweep(env) : runHousekeeping(env));
  },
  async queue(batch, env) {
    await handleFileJobs(batch, env);
  },
} satisfies ExportedHandler<Env>;
