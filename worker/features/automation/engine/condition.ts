/** Evaluates a branch step's condition against the run context (templates resolved first). */
import type { Condition } from "./definition";
import { resolveTemplate, type TemplateContext } from "./template";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function compare(left: unknown, right: unknown): number | null {
  if (typeof left === "number" && typeof right === "number") return left - right;
  const l = Number(left);
  const r = Number(right);
  if (left !== null && right !== null && left !== "" && right !== "" && Number.isFinite(l) && Number.isFinite(r))
    return l - r;
  if (typeof left === "string" && typeof right === "string") return left < right ? -1 : left > right ? 1 : 0;
  return null;
}

export function evaluateCondition(condition: Condition, context: TemplateContext): boolean {
  if ("all" in condition) return condition.all.every((c) => evaluateCondition(c, context));
  if ("any" in condition) return condition.any.some((c) => evaluateCondition(c, context));
  if ("not" in condition) return !evaluateCondition(condition.not, context);
  const left = resolveTemplate(condition.left, context);
  const right = resolveTemplate(condition.right, context);
  const order = () => compare(left, right);
  switch (condition.op) {
    case "eq":
      return same(left, right);
    case "ne":
      return !same(left, right);
    case "gt":
      return (order() ?? Number.NaN) > 0;
    case "gte":
      return (order() ?? Number.NaN) >= 0;
    case "lt":
      return (order() ?? Number.NaN) < 0;
    case "lte":
      return (order() ?? Number.NaN) <= 0;
    case "contains":
      if (typeof left === "string") return typeof right === "string" && left.includes(right);
      return Array.isArray(left) && left.some((item) => same(item, right));
    case "exists":
      return left !== null && left !== undefined;
    case "truthy":
      return Boolean(left) && !(Array.isArray(left) && left.length === 0);
  }
}
