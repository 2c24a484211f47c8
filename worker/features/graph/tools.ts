/**
 * The graph as MCP / agent tools (query, management and content; docs/graph-sync.md),
 * as plain functions with zod input and output schemas, shaped for the tool
 * runtime's ToolDescriptor (features/tools/contract.ts): the integration registers
 * GRAPH_TOOLS as the built-in `graph` extension. Writes are made as device `mcp`,
 * through the same authority as sync, so they merge, conflict and go live like any other.
 */
import { z } from "zod";
import {
  AttachmentState,
  ConflictState,
  EntityState,
  Id,
  RelationshipState,
} from "../../../shared/graph-sync/protocol";
import type { Scope } from "../auth/scopes";
import type { ToolDescriptor } from "../tools/contract";
import { putAttachment, readAttachment, toBase64 } from "./attachments";
import { MAX_ATTACHMENT_BYTES } from "./schemas";
import { graphOf, unwrap } from "./service";

export type GraphToolContext = { env: Env; userId: string };

export type GraphTool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  input: I;
  output: O;
  scopes: readonly Scope[];
  /** Deleting and unlinking change the user's data in ways a person may want to approve. */
  dangerous: boolean;
  // Method syntax: the list below holds tools of different schemas.
  run(input: z.infer<I>, context: GraphToolContext): Promise<z.infer<O>>;
};

const tool = <I extends z.ZodType, O extends z.ZodType>(definition: GraphTool<I, O>) => definition;

const READ: readonly Scope[] = ["graph:read"];
const WRITE: readonly Scope[] = ["graph:write"];
const Types = z.array(z.string().max(32)).max(20).optional().describe("Only these relationship types");
const Direction = z.enum(["out", "in", "both"]).default("both");
const Content = z.record(z.string(), z.unknown());
const EntitySummary = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  version: z.string(),
  deleted: z.boolean(),
});

const summary = (entity: EntityState) => ({
  id: entity.id,
  type: entity.type,
  name: String(entity.content?.name ?? ""),
  version: entity.version,
  deleted: entity.deleted,
});

export const searchEntities = tool({
  name: "graph_search_entities",
  description: "Find entities in the user's home graph by type and/or words in their name and content.",
  input: z.object({
    query: z.string().max(200).optional().describe("Words to look for (prefixes match)"),
    type: z
      .string()
      .max(32)
      .optional()
      .describe("home, room, device, zone, door, window, procedure, manual, note, schedule or automation"),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  output: z.object({ items: z.array(EntitySummary), more: z.boolean() }),
  scopes: READ,
  dangerous: false,
  run: async (input, { env, userId }) => {
    const page = await unwrap(
      graphOf(env, userId).listEntities({ type: input.type, q: input.query, limit: input.limit }),
    );
    return { items: page.items.map(summary), more: page.next_cursor !== null };
  },
});

export const getEntity = tool({
  name: "graph_get_entity",
  description: "Read one entity with its current content and version.",
  input: z.object({ id: Id }),
  output: z.object({ entity: EntityState }),
  scopes: READ,
  dangerous: false,
  run: async ({ id }, { env, userId }) => ({ entity: await unwrap(graphOf(env, userId).getEntity(id)) }),
});

export const neighbours = tool({
  name: "graph_neighbours",
  description: "The entities one relationship away from an entity, with the relationships.",
  input: z.object({
    id: Id,
    direction: Direction,
    relationship_types: Types,
    limit: z.number().int().min(1).max(200).default(50),
  }),
  output: z.object({
    neighbours: z.array(
      z.object({ direction: z.enum(["out", "in"]), relationship: RelationshipState, entity: EntitySummary }),
    ),
    truncated: z.boolean(),
  }),
  scopes: READ,
  dangerous: false,
  run: async (input, { env, userId }) => {
    const found = await unwrap(
      graphOf(env, userId).neighbours(input.id, {
        direction: input.direction,
        types: input.relationship_types,
        limit: input.limit,
      }),
    );
    return {
      neighbours: found.neighbours.map((n) => ({
        direction: n.direction,
        relationship: n.relationship,
        entity: summary(n.entity),
      })),
      truncated: found.truncated,
    };
  },
});

export const findPath = tool({
  name: "graph_find_path",
  description: "Paths between two entities, shortest first, up to max_depth relationships long.",
  input: z.object({
    from: Id,
    to: Id,
    max_depth: z.number().int().min(1).max(6).default(3),
    direction: Direction,
    relationship_types: Types,
    limit: z.number().int().min(1).max(20).default(3),
  }),
  output: z.object({
    paths: z.array(
      z.object({ length: z.number().int(), entities: z.array(z.string()), relationships: z.array(z.string()) }),
    ),
    truncated: z.boolean(),
  }),
  scopes: READ,
  dangerous: false,
  run: async (input, { env, userId }) =>
    unwrap(
      graphOf(env, userId).findPaths(input.from, input.to, {
        maxDepth: input.max_depth,
        direction: input.direction,
        types: input.relationship_types,
        limit: input.limit,
      }),
    ),
});

export const createEntity = tool({
  name: "graph_create_entity",
  description: "Create an entity. `content` needs at least `name`; other fields depend on the type.",
  input: z.object({ type: z.string().max(32), content: Content, id: Id.optional() }),
  output: z.object({ entity: EntityState }),
  scopes: WRITE,
  dangerous: false,
  run: async (input, { env, userId }) => ({ entity: await unwrap(graphOf(env, userId).createEntity(input, "mcp")) }),
});

export const updateEntity = tool({
  name: "graph_update_entity",
  description:
    "Change an entity's content with a JSON merge patch (null removes a field). Give base_version to fail instead of overwriting a newer change.",
  input: z.object({ id: Id, patch: Content, base_version: Id.optional() }),
  output: z.object({ entity: EntityState }),
  scopes: WRITE,
  dangerous: false,
  run: async ({ id, ...update }, { env, userId }) => ({
    entity: await unwrap(graphOf(env, userId).updateEntity(id, update, "mcp")),
  }),
});

export const deleteEntity = tool({
  name: "graph_delete_entity",
  description: "Delete an entity (its history is kept).",
  input: z.object({ id: Id, base_version: Id.optional() }),
  output: z.object({ entity: EntityState }),
  scopes: WRITE,
  dangerous: true,
  run: async ({ id, base_version }, { env, userId }) => ({
    entity: await unwrap(graphOf(env, userId).deleteEntity(id, base_version, "mcp")),
  }),
});

export const link = tool({
  name: "graph_link",
  description: "Relate two entities, e.g. a device located_in a room.",
  input: z.object({ from_id: Id, to_id: Id, type: z.string().max(32), properties: Content.optional() }),
  output: z.object({ relationship: RelationshipState }),
  scopes: WRITE,
  dangerous: false,
  run: async (input, { env, userId }) => ({ relationship: await unwrap(graphOf(env, userId).link(input, "mcp")) }),
});

export const unlink = tool({
  name: "graph_unlink",
  description: "Remove a relationship.",
  input: z.object({ relationship_id: Id }),
  output: z.object({ relationship: RelationshipState }),
  scopes: WRITE,
  dangerous: true,
  run: async ({ relationship_id }, { env, userId }) => ({
    relationship: await unwrap(graphOf(env, userId).unlink(relationship_id, "mcp")),
  }),
});

export const attach = tool({
  name: "graph_attach",
  description: `Attach a file (base64, up to ${MAX_ATTACHMENT_BYTES / 1024} KiB) to an entity, e.g. a manual's PDF.`,
  input: z.object({
    entity_id: Id,
    file_name: z.string().min(1).max(200),
    content_type: z.string().max(200).default("application/octet-stream"),
    data_base64: z.base64().max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4),
  }),
  output: z.object({ attachment: AttachmentState }),
  scopes: WRITE,
  dangerous: false,
  run: async (input, { env, userId }) => ({
    attachment: await putAttachment(env, userId, {
      entityId: input.entity_id,
      fileName: input.file_name,
      contentType: input.content_type,
      dataBase64: input.data_base64,
    }),
  }),
});

export const fetchBinary = tool({
  name: "graph_fetch_binary",
  description: "Read an attachment's bytes (base64) with its name, type and checksum.",
  input: z.object({ attachment_id: Id }),
  output: z.object({
    file_name: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    checksum: z.string(),
    data_base64: z.string(),
  }),
  scopes: READ,
  dangerous: false,
  run: async ({ attachment_id }, { env, userId }) => {
    const { row, object } = await readAttachment(env, userId, attachment_id);
    const bytes = new Uint8Array(await object.arrayBuffer());
    return {
      file_name: row.file_name,
      content_type: row.content_type,
      size: row.size,
      checksum: row.checksum,
      data_base64: toBase64(bytes),
    };
  },
});

export const listConflicts = tool({
  name: "graph_list_conflicts",
  description: "Conflicts between devices' edits that wait for a person (or all of them).",
  input: z.object({
    status: z.enum(["pending", "auto_resolved", "resolved"]).default("pending"),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  output: z.object({ items: z.array(ConflictState) }),
  scopes: READ,
  dangerous: false,
  run: async (input, { env, userId }) => ({ items: (await unwrap(graphOf(env, userId).listConflicts(input))).items }),
});

export const GRAPH_TOOLS: readonly GraphTool[] = [
  searchEntities,
  getEntity,
  neighbours,
  findPath,
  createEntity,
  updateEntity,
  deleteEntity,
  link,
  unlink,
  attach,
  fetchBinary,
  listConflicts,
];

/** The tools as the runtime lists them (JSON Schemas from the zod schemas). */
export function graphToolDescriptors(): ToolDescriptor[] {
  return GRAPH_TOOLS.map((graphTool) => ({
    name: graphTool.name,
    description: graphTool.description,
    inputSchema: z.toJSONSchema(graphTool.input, { io: "input" }) as Record<string, unknown>,
    outputSchema: z.toJSONSchema(graphTool.output) as Record<string, unknown>,
    dangerous: graphTool.dangerous,
    timeoutMs: 10_000,
    cacheTtlSeconds: 0,
    scopes: graphTool.scopes,
    extension: "graph",
  }));
}

/** Validates, runs and checks the output of one graph tool; the runtime adds scopes, limits and records. */
export async function runGraphTool(name: string, input: unknown, context: GraphToolContext): Promise<unknown> {
  const graphTool = GRAPH_TOOLS.find((candidate) => candidate.name === name);
  if (!graphTool) throw new Error(`No graph tool ${name}`);
  return graphTool.output.parse(await graphTool.run(graphTool.input.parse(input), context));
}
