/**
 * The Inbetweenies protocol on the wire, in plain zod: what a device pushes
 * (changes with its device id, vector clock and client change ids), what the
 * authority answers (per-change results, the feed items the device has not seen,
 * the new cursor and clock). The Worker documents these in OpenAPI; the sync
 * client, the CLI and the console parse with them.
 */
import { z } from "zod";
import { HLC_PATTERN } from "./hlc";

/** Versions of this protocol the server speaks; the client offers its own and the highest common one is used. */
export const PROTOCOL_VERSIONS = [1] as const;
export const MAX_PUSH_CHANGES = 500;
export const MAX_FEED_LIMIT = 5_000;
export const DEFAULT_FEED_LIMIT = 1_000;
export const MAX_PARENTS = 8;

export const Id = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "Use 1-64 letters, digits, _ or -")
  .describe("Client- or server-made id (a UUID fits)");
export const DeviceId = Id.describe("The device's own stable id");
export const HlcString = z
  .string()
  .regex(HLC_PATTERN, "Not a hybrid logical clock (wall:counter:node)")
  .describe("Hybrid logical clock: 15-digit ms, 6-digit counter, node");
export const VectorClock = z
  .record(z.string().max(64), z.number().int().min(0))
  .refine((clock) => Object.keys(clock).length <= 1_000, "At most 1000 entries")
  .describe("Per device: how many of that device's changes are known; `server` is the feed position");
export type VectorClock = z.infer<typeof VectorClock>;

/**
 * A JSON object. A `__proto__` key at its top is refused here, because the record would drop it
 * unseen; deeper ones reach the content check, which names the change (content.ts, protoKeyPath).
 */
const JsonObject = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__"))
      ctx.addIssue({ code: "custom", message: "__proto__ cannot be used as a key", path: ["__proto__"] });
  })
  .pipe(z.record(z.string().max(64), z.unknown()));

const ChangeBase = {
  client_change_id: z.string().min(1).max(64).describe("Unique per device; a retried change is applied once"),
  counter: z.number().int().min(1).describe("The device's own change counter; it only grows"),
  hlc: HlcString,
};

export const EntityUpsertChange = z
  .object({
    ...ChangeBase,
    op: z.literal("upsert"),
    entity_id: Id,
    entity_type: z.string().min(1).max(32),
    version: Id.describe("The new version's id"),
    parents: z.array(Id).max(MAX_PARENTS).describe("The versions this one was written on; [] creates the entity"),
    content: JsonObject,
  })
  .strict();

export const EntityDeleteChange = z
  .object({
    ...ChangeBase,
    op: z.literal("delete"),
    entity_id: Id,
    version: Id,
    parents: z.array(Id).min(1).max(MAX_PARENTS),
  })
  .strict();

export const LinkChange = z
  .object({
    ...ChangeBase,
    op: z.literal("link"),
    relationship_id: Id,
    from_id: Id,
    to_id: Id,
    relationship_type: z.string().min(1).max(32),
    properties: JsonObject.default({}),
    base_hlc: HlcString.nullable().describe("The relationship's HLC as this device last saw it; null if new"),
  })
  .strict();

export const UnlinkChange = z
  .object({ ...ChangeBase, op: z.literal("unlink"), relationship_id: Id, base_hlc: HlcString.nullable() })
  .strict();

export const Change = z.discriminatedUnion("op", [EntityUpsertChange, EntityDeleteChange, LinkChange, UnlinkChange]);
export type Change = z.infer<typeof Change>;
export type ChangeInput = z.input<typeof Change>;

const Negotiation = {
  protocol_versions: z
    .array(z.number().int().min(1))
    .min(1)
    .max(10)
    .describe("Protocol versions the client speaks; the server answers in the highest it shares"),
  device_id: DeviceId,
  cursor: z.number().int().min(0).describe("The last feed position this device has applied (0: none)"),
  limit: z.number().int().min(1).max(MAX_FEED_LIMIT).optional().describe("Most feed items to return"),
};

export const PushRequest = z
  .object({ ...Negotiation, clock: VectorClock, changes: z.array(Change).max(MAX_PUSH_CHANGES) })
  .strict();
export type PushRequest = z.infer<typeof PushRequest>;

export const PullRequest = z.object(Negotiation).strict();
export type PullRequest = z.infer<typeof PullRequest>;

export const ChangeStatus = z.enum(["applied", "merged", "conflict", "duplicate"]);
export type ChangeStatus = z.infer<typeof ChangeStatus>;

export const ChangeResult = z.object({
  client_change_id: z.string(),
  status: ChangeStatus.describe(
    "applied: now current; merged: concurrent, settled automatically; conflict: pending manual resolution; duplicate: seen before (the first outcome is repeated)",
  ),
  first_status: ChangeStatus.optional().describe("For a duplicate, what happened the first time"),
  version: z.string().nullable().describe("The current version after this change (a merge version if merged)"),
  conflict_id: z.string().nullable(),
});
export type ChangeResult = z.infer<typeof ChangeResult>;

export const EntityState = z.object({
  id: z.string(),
  type: z.string(),
  version: z.string(),
  parents: z.array(z.string()),
  content: JsonObject.nullable().describe("null once deleted"),
  deleted: z.boolean(),
  hlc: z.string(),
  device_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EntityState = z.infer<typeof EntityState>;

export const RelationshipState = z.object({
  id: z.string(),
  from_id: z.string(),
  to_id: z.string(),
  type: z.string(),
  properties: JsonObject,
  deleted: z.boolean(),
  hlc: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type RelationshipState = z.infer<typeof RelationshipState>;

export const ConflictState = z.object({
  id: z.string(),
  subject: z.enum(["entity", "relationship"]),
  entity_id: z.string().describe("The entity, or the relationship for relationship conflicts"),
  entity_type: z.string(),
  conflict_type: z.enum(["concurrent_update", "update_delete", "concurrent_delete"]),
  strategy: z.enum(["merge", "lww", "manual"]),
  local_version: z.string().describe("The incoming write (the device's side)"),
  remote_version: z.string().describe("What was current when it arrived (the server's side)"),
  base_version: z.string().nullable().describe("Their latest common ancestor"),
  resolution_status: z.enum(["pending", "auto_resolved", "resolved"]),
  resolved_version: z.string().nullable(),
  conflict_data: JsonObject.describe("Both sides' content, the fields that clashed and who won"),
  device_id: z.string().nullable(),
  created_at: z.string(),
  resolved_at: z.string().nullable(),
});
export type ConflictState = z.infer<typeof ConflictState>;

export const AttachmentState = z.object({
  id: z.string(),
  entity_id: z.string(),
  entity_version: z.string(),
  content_type: z.string(),
  file_name: z.string(),
  size: z.number().int(),
  checksum: z.string().describe("sha256:<hex> of the bytes"),
  deleted: z.boolean(),
  created_at: z.string(),
});
export type AttachmentState = z.infer<typeof AttachmentState>;

export const FeedItem = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("entity"), seq: z.number().int(), entity: EntityState }),
  z.object({ kind: z.literal("relationship"), seq: z.number().int(), relationship: RelationshipState }),
  z.object({ kind: z.literal("conflict"), seq: z.number().int(), conflict: ConflictState }),
  z.object({ kind: z.literal("attachment"), seq: z.number().int(), attachment: AttachmentState }),
]);
export type FeedItem = z.infer<typeof FeedItem>;

const FeedPage = {
  protocol_version: z.number().int(),
  items: z.array(FeedItem).describe("Current state of everything changed after `since`, by feed position"),
  since: z.number().int(),
  cursor: z.number().int().describe("Send this as `cursor` next time"),
  has_more: z.boolean().describe("More items follow: pull again from `cursor`"),
  clock: VectorClock,
  pending_conflicts: z.number().int(),
};

export const PullResponse = z.object(FeedPage);
export type PullResponse = z.infer<typeof PullResponse>;

export const PushResponse = z.object({ ...FeedPage, results: z.array(ChangeResult) });
export type PushResponse = z.infer<typeof PushResponse>;

/** The highest protocol version both sides speak, or null. */
export function negotiate(offered: readonly number[]): number | null {
  const common = PROTOCOL_VERSIONS.filter((version) => offered.includes(version));
  return common.length ? Math.max(...common) : null;
}
