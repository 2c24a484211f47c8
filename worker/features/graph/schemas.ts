/**
 * Request and response shapes of /api/v1/graph: the protocol's schemas
 * (shared/graph-sync/protocol.ts) registered for OpenAPI, and the REST bodies and
 * queries. Entity content is checked per type by the authority: an unknown type is
 * 422, content that does not fit its type 400.
 */
import { z } from "@hono/zod-openapi";
import { CONTENT_SCHEMAS, ENTITY_TYPES, RELATIONSHIP_TYPES, refuseProtoKeys } from "../../../shared/graph-sync/content";
import {
  AttachmentState,
  ConflictState,
  EntityState,
  Id,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  RelationshipState,
} from "../../../shared/graph-sync/protocol";

export const GraphPushRequest = PushRequest.openapi("GraphPushRequest");
export const GraphPushResponse = PushResponse.openapi("GraphPushResponse");
export const GraphPullRequest = PullRequest.openapi("GraphPullRequest");
export const GraphPullResponse = PullResponse.openapi("GraphPullResponse");
export const GraphEntity = EntityState.openapi("GraphEntity");
export const GraphRelationship = RelationshipState.openapi("GraphRelationship");
export const GraphConflict = ConflictState.openapi("GraphConflict");
export const GraphAttachment = AttachmentState.openapi("GraphAttachment");

/** Every type's content schema as a component, so clients can read what `content` holds per type. */
const contentSchemas: z.ZodType[] = ENTITY_TYPES.map((type) =>
  CONTENT_SCHEMAS[type].openapi(`${type[0]!.toUpperCase()}${type.slice(1)}Content`),
);
export const EntityContent = z.union(contentSchemas).openapi("EntityContent");

export const SyncInfo = z
  .object({
    protocol_versions: z.array(z.number().int()),
    max_push_changes: z.number().int(),
    max_feed_limit: z.number().int(),
    entity_types: z.array(z.object({ type: z.string(), strategy: z.enum(["merge", "lww", "manual"]) })),
    relationship_types: z.array(z.string()),
    content_schema: EntityContent.optional(),
  })
  .openapi("GraphSyncInfo");

const EntityTypeName = z
  .string()
  .min(1)
  .max(32)
  .openapi({ description: `One of: ${ENTITY_TYPES.join(", ")}; anything else is 422`, example: "room" });
/** A raw JSON object; a `__proto__` key anywhere in it is a 400, never silently dropped. */
const JsonRecord = () => refuseProtoKeys(z.record(z.string(), z.unknown()));
const Content = JsonRecord().openapi({
  type: "object",
  description: "Typed by `type`; see EntityContent. A `__proto__` key anywhere is refused (400).",
});

export const CreateEntityBody = z
  .object({ id: Id.optional(), type: EntityTypeName, content: Content })
  .strict()
  .openapi("CreateGraphEntity");

export const UpdateEntityBody = z
  .object({
    patch: Content.optional().openapi({ description: "JSON Merge Patch (RFC 7396) applied to the current content" }),
    content: Content.optional().openapi({ description: "Replaces the content whole" }),
    base_version: Id.optional().openapi({
      description: "The version you edited; if it is no longer current the answer is 409 with the current entity",
    }),
  })
  .strict()
  .refine((body) => (body.patch === undefined) !== (body.content === undefined), "Give exactly one of patch or content")
  .openapi("UpdateGraphEntity");

export const BaseVersionQuery = z.object({ base_version: Id.optional() });

export const EntityIdParam = z.object({ id: Id });

const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const Cursor = z.string().max(512).optional();
const CommaList = z
  .string()
  .max(500)
  .regex(/^[a-z_]+(,[a-z_]+)*$/, "A comma-separated list of type names")
  .transform((value) => value.split(","));

export const EntityListQuery = z.object({
  type: z.string().max(32).optional().openapi({ description: "Only this entity type" }),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Words to search for in names and content (prefixes match)" }),
  include_deleted: z.enum(["true", "false"]).default("false"),
  limit: Limit(100, 20),
  cursor: Cursor,
});

export const EntityPage = z
  .object({ items: z.array(GraphEntity), next_cursor: z.string().nullable() })
  .openapi("GraphEntityPage");

export const HistoryQuery = z.object({ limit: Limit(100, 20), cursor: Cursor });
export const VersionEntry = z
  .object({
    version: z.string(),
    parents: z.array(z.string()),
    content: z.record(z.string(), z.unknown()).nullable(),
    deleted: z.boolean(),
    source_type: z.enum(["device", "api", "merge", "resolution"]),
    device_id: z.string().nullable(),
    hlc: z.string(),
    current: z.boolean(),
    created_at: z.string(),
  })
  .openapi("GraphVersion");
export const HistoryPage = z
  .object({ items: z.array(VersionEntry), next_cursor: z.string().nullable() })
  .openapi("GraphHistoryPage");

/** Which relationships a traversal follows. */
const TraversalFilter = {
  direction: z.enum(["out", "in", "both"]).default("both"),
  types: CommaList.optional().openapi({
    type: "string",
    description: "Only these relationship types (comma-separated)",
  }),
};

export const NeighboursQuery = z.object({ ...TraversalFilter, limit: Limit(500, 100) });
export const NeighboursResponse = z
  .object({
    entity: GraphEntity,
    neighbours: z.array(
      z.object({ direction: z.enum(["out", "in"]), relationship: GraphRelationship, entity: GraphEntity }),
    ),
    truncated: z.boolean(),
  })
  .openapi("GraphNeighbours");

export const PathsQuery = z.object({
  from: Id,
  to: Id,
  max_depth: z.coerce.number().int().min(1).max(6).default(3),
  ...TraversalFilter,
  limit: Limit(20, 5),
});
export const PathsResponse = z
  .object({
    paths: z.array(
      z.object({ length: z.number().int(), entities: z.array(z.string()), relationships: z.array(z.string()) }),
    ),
    truncated: z.boolean(),
  })
  .openapi("GraphPaths");

export const LinkBody = z
  .object({
    id: Id.optional(),
    from_id: Id,
    to_id: Id,
    type: z
      .string()
      .min(1)
      .max(32)
      .openapi({
        description: `One of: ${RELATIONSHIP_TYPES.join(", ")}; anything else is 422`,
        example: "located_in",
      }),
    properties: JsonRecord().openapi({ type: "object" }).optional(),
  })
  .strict()
  .openapi("GraphLink");

export const ConflictListQuery = z.object({
  status: z.enum(["pending", "auto_resolved", "resolved"]).optional(),
  entity_id: Id.optional(),
  limit: Limit(100, 20),
  cursor: Cursor,
});
export const ConflictPage = z
  .object({ items: z.array(GraphConflict), next_cursor: z.string().nullable() })
  .openapi("GraphConflictPage");

export const ResolveBody = z
  .object({
    choose: z.enum(["local", "remote", "content"]).openapi({
      description: "local: the incoming write; remote: what is current; content: your own merge (give `content`)",
    }),
    content: Content.optional(),
  })
  .strict()
  .refine((body) => body.choose !== "content" || body.content !== undefined, "choose=content needs content")
  .openapi("ResolveGraphConflict");
export const ResolveResponse = z.object({ conflict: GraphConflict, entity: GraphEntity }).openapi("GraphResolution");

export const AttachmentList = z.object({ items: z.array(GraphAttachment) }).openapi("GraphAttachmentList");
/** Largest attachment: its base64 in a JSON body stays under the API's 1 MiB body limit. */
export const MAX_ATTACHMENT_BYTES = 700 * 1024;

export const AttachmentUpload = z
  .object({
    file_name: z
      .string()
      .min(1)
      .max(200)
      .refine((name) => !/[/\\]/.test(name) && ![...name].some((ch) => ch.charCodeAt(0) < 32), "A plain file name"),
    content_type: z
      .string()
      .max(200)
      .regex(/^[\w.+-]+\/[\w.+-]+(;.*)?$/, "A media type like application/pdf")
      .default("application/octet-stream"),
    data_base64: z
      .base64()
      .max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4)
      .openapi({ description: `The file's bytes in base64 (at most ${MAX_ATTACHMENT_BYTES / 1024} KiB decoded)` }),
  })
  .strict()
  .openapi("GraphAttachmentUpload");

export const LiveTicketResponse = z
  .object({ ticket: z.string(), expires_at: z.string(), url: z.string() })
  .openapi("GraphLiveTicket");
export const LiveConnectQuery = z.object({
  ticket: z.string().max(2000).optional(),
  entity: z.string().max(2000).optional().openapi({ description: "Entity ids to follow (comma-separated)" }),
  type: z
    .string()
    .max(500)
    .optional()
    .openapi({ description: "Entity or relationship types to follow (comma-separated)" }),
  all: z.enum(["true", "false"]).default("false").openapi({ description: "Follow the whole graph" }),
});
