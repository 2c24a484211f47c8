/**
 * The Worker's entry: the Hono app for HTTP, housekeeping on cron, and the
 * Durable Object classes wrangler.toml binds. No logic lives here.
 */
import { createApp } from "./app";
import { runHousekeeping } from "./features/housekeeping/cleanup";

export { ChatSession } from "../durable-objects/chat-session/chat-session";
export { GraphSync } from "../durable-objects/graph-sync/graph-sync";
export { MetricsHub } from "../durable-objects/metrics-hub/metrics-hub";
export { RateLimiter } from "../durable-objects/rate-limiter/rate-limiter";
export { UserHub } from "../durable-objects/user-hub/user-hub";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runHousekeeping(env));
  },
} satisfies ExportedHandler<Env>;
