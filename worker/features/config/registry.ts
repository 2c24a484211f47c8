/**
 * The known system settings: each key has a zod schema, a default and a
 * description. Admins change them at runtime through /api/v1/admin/config;
 * later features add their keys here.
 */
import { z } from "@hono/zod-openapi";

const RateRule = z.object({
  limit: z.number().int().min(1).max(1_000_000),
  window_seconds: z.number().int().min(1).max(86_400),
});
export type RateRule = z.infer<typeof RateRule>;

export const CONFIG_REGISTRY = {
  rate_limits: {
    description: "Requests allowed per window: per client IP on /auth routes, per user or API key elsewhere",
    isPublic: false,
    schema: z.object({ auth_per_ip: RateRule, api_per_principal: RateRule }),
    default: {
      auth_per_ip: { limit: 30, window_seconds: 60 },
      api_per_principal: { limit: 1200, window_seconds: 60 },
    },
  },
  hub_limits: {
    description: "Live hub limits: sockets per user, topics per socket, events kept for replay",
    isPublic: false,
    schema: z.object({
      max_connections_per_user: z.number().int().min(1).max(10_000),
      max_topics_per_connection: z.number().int().min(1).max(1_000),
      replay_buffer_size: z.number().int().min(10).max(10_000),
    }),
    default: { max_connections_per_user: 20, max_topics_per_connection: 50, replay_buffer_size: 500 },
  },
  registration: {
    description: "Whether anyone may register (admins can still create users when closed)",
    isPublic: true,
    schema: z.object({ open: z.boolean() }),
    default: { open: true },
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_REGISTRY;
export type ConfigValue<K extends ConfigKey> = z.infer<(typeof CONFIG_REGISTRY)[K]["schema"]>;
export const CONFIG_KEYS = Object.keys(CONFIG_REGISTRY) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_REGISTRY, key);
}
