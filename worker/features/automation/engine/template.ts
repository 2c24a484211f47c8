/**
 * Inputs templated from earlier steps: any string in a step's input may hold
 * `{{ path }}` expressions over the run context (`input.x`, `steps.fetch.output.body.id`,
 * `steps.a.status`, `run.id`, `task.parameters.x`). A string that is exactly one
 * expression takes the value as-is (an object stays an object); otherwise values
 * are interpolated as text (objects as JSON). A missing path gives null / "".
 */

export type TemplateContext = Record<string, unknown>;

const EXPRESSION = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*)\s*\}\}$/;

/** `a.b[0].c` → ["a", "b", 0, "c"]. */
export function parsePath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  return parts;
}

export function lookup(context: unknown, path: string): unknown {
  let value: unknown = context;
  for (const part of parsePath(path)) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Resolves every template in `value` (deeply) against `context`. */
export function resolveTemplate(value: unknown, context: TemplateContext): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole?.[1]) return lookup(context, whole[1]) ?? null;
    return value.replace(EXPRESSION, (_, path: string) => asText(lookup(context, path)));
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplate(item, context));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTemplate(item, context)]));
  }
  return value;
}

/** Every path a value's templates refer to, for validating definitions. */
export function templatePaths(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(EXPRESSION)].map((match) => match[1] ?? "");
  if (Array.isArray(value)) return value.flatMap(templatePaths);
  if (value && typeof value === "object") return Object.values(value).flatMap(templatePaths);
  return [];
}
