/**
 * The home graph's entity types and the typed content of each, in plain
 * zod so the Worker, the sync client and the CLI validate with the same schemas.
 * Each type also names its conflict strategy (see docs/graph-sync.md).
 */
import { z } from "zod";

const Name = z.string().trim().min(1).max(200);
const Text = (max: number) => z.string().max(max);
/** Free-form extra fields, merged field by field like the rest of the content. */
const Attributes = z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]));

const common = { name: Name, description: Text(4000).optional(), attributes: Attributes.optional() };

export const CONTENT_SCHEMAS = {
  home: z.object({ ...common, address: Text(500).optional(), timezone: Text(64).optional() }).strict(),
  room: z
    .object({ ...common, floor: z.number().int().min(-20).max(300).optional(), area_m2: z.number().min(0).optional() })
    .strict(),
  zone: z.object({ ...common }).strict(),
  device: z
    .object({
      ...common,
      category: z
        .enum(["light", "switch", "sensor", "thermostat", "lock", "camera", "speaker", "appliance", "hub", "other"])
        .optional(),
      manufacturer: Text(200).optional(),
      model: Text(200).optional(),
      serial_number: Text(200).optional(),
      firmware: Text(100).optional(),
      state: Attributes.optional(),
    })
    .strict(),
  door: z.object({ ...common, material: Text(100).optional(), lockable: z.boolean().optional() }).strict(),
  window: z
    .object({
      ...common,
      orientation: z.enum(["n", "ne", "e", "se", "s", "sw", "w", "nw"]).optional(),
      opens: z.boolean().optional(),
    })
    .strict(),
  procedure: z
    .object({
      ...common,
      steps: z
        .array(z.object({ text: Text(2000).min(1), duration_minutes: z.number().min(0).max(10_000).optional() }))
        .max(200),
    })
    .strict(),
  manual: z
    .object({
      ...common,
      summary: Text(8000).optional(),
      url: z.url().max(2000).optional(),
      language: Text(16).optional(),
    })
    .strict(),
  note: z.object({ ...common, body: Text(32_000), tags: z.array(Text(50)).max(50).optional() }).strict(),
  schedule: z
    .object({
      ...common,
      cron: z
        .string()
        .regex(/^(\S+\s+){4}\S+$/, "A cron expression has five fields")
        .max(120),
      timezone: Text(64).optional(),
      enabled: z.boolean(),
    })
    .strict(),
  automation: z
    .object({
      ...common,
      trigger: z.object({ kind: z.enum(["schedule", "event", "state", "manual"]), ref: Text(200).optional() }).strict(),
      conditions: z.array(Text(500)).max(50).optional(),
      actions: z
        .array(z.object({ target: Text(64), command: Text(100), args: Attributes.optional() }).strict())
        .min(1)
        .max(50),
      enabled: z.boolean(),
    })
    .strict(),
} as const;

export type EntityType = keyof typeof CONTENT_SCHEMAS;
export const ENTITY_TYPES = Object.keys(CONTENT_SCHEMAS) as EntityType[];

export function isEntityType(value: string): value is EntityType {
  return Object.hasOwn(CONTENT_SCHEMAS, value);
}

/**
 * How concurrent writes to an entity are settled:
 * - `merge`: field-level three-way merge against the common ancestor; a field both sides changed goes to the later HLC;
 * - `lww`: the whole write with the later hybrid logical clock wins;
 * - `manual`: the conflict stays pending until someone resolves it.
 * Structured things merge; configurations (a schedule, an automation) must stay whole; prose needs a person.
 */
export type ConflictStrategy = "merge" | "lww" | "manual";
export const CONFLICT_STRATEGIES: Record<EntityType, ConflictStrategy> = {
  home: "merge",
  room: "merge",
  zone: "merge",
  device: "merge",
  door: "merge",
  window: "merge",
  schedule: "lww",
  automation: "lww",
  procedure: "manual",
  manual: "manual",
  note: "manual",
};

export const RELATIONSHIP_TYPES = [
  "located_in",
  "contains",
  "part_of",
  "connects_to",
  "controls",
  "powers",
  "documented_by",
  "procedure_for",
  "triggers",
  "depends_on",
  "related_to",
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export function isRelationshipType(value: string): value is RelationshipType {
  return (RELATIONSHIP_TYPES as readonly string[]).includes(value);
}

/** Largest serialised content or relationship properties, in bytes. */
export const MAX_CONTENT_BYTES = 64 * 1024;

export type ContentCheck =
  | { ok: true; content: Record<string, unknown> }
  | { ok: false; status: 400 | 422; code: string; message: string; issues?: { path: string; message: string }[] };

/**
 * Where a `__proto__` key sits in a JSON value (`attributes.__proto__`), or null. JSON.parse
 * keeps such a key as data, but zod records and every `copy[key] = value` drop it without a
 * word (or, worse, set a prototype), so content carrying one is refused instead of changed.
 */
export function protoKeyPath(value: unknown): string | null {
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, path] = next;
    if (node === null || typeof node !== "object") continue;
    if (Object.hasOwn(node, "__proto__")) return path ? `${path}.__proto__` : "__proto__";
    for (const [key, child] of Object.entries(node)) pending.push([child, path ? `${path}.${key}` : key]);
  }
  return null;
}

/** `schema`, refusing (instead of silently dropping) a `__proto__` key anywhere in the raw input. */
export function refuseProtoKeys<T extends z.ZodType>(schema: T) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const path = protoKeyPath(value);
      if (path) ctx.addIssue({ code: "custom", message: "__proto__ cannot be used as a key", path: path.split(".") });
    })
    .pipe(schema);
}

/** Validates one entity's content against its type: 422 for a type we do not know, 400 for bad content. */
export function checkContent(type: string, content: unknown): ContentCheck {
  if (!isEntityType(type)) {
    return {
      ok: false,
      status: 422,
      code: "unknown_entity_type",
      message: `Unknown entity type "${type}"; known types: ${ENTITY_TYPES.join(", ")}`,
    };
  }
  const protoPath = protoKeyPath(content);
  if (protoPath) {
    const message = "__proto__ cannot be used as a key";
    return {
      ok: false,
      status: 400,
      code: "validation_failed",
      message: `Invalid ${type} content: ${protoPath}: ${message}`,
      issues: [{ path: protoPath, message }],
    };
  }
  const parsed = CONTENT_SCHEMAS[type].safeParse(content);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(root)",
      message: issue.message,
    }));
    const first = issues[0];
    return {
      ok: false,
      status: 400,
      code: "validation_failed",
      message: `Invalid ${type} content${first ? `: ${first.path}: ${first.message}` : ""}`,
      issues,
    };
  }
  if (JSON.stringify(parsed.data).length > MAX_CONTENT_BYTES) {
    return { ok: false, status: 400, code: "content_too_large", message: `Content exceeds ${MAX_CONTENT_BYTES} bytes` };
  }
  return { ok: true, content: parsed.data as Record<string, unknown> };
}
