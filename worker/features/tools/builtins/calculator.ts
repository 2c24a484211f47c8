/**
 * `calculator`: arithmetic and functions through mathjs's expression parser (never
 * JavaScript eval). It uses mathjs's number-only build: no units, matrices,
 * fractions or big numbers, which keeps a cold isolate's first call near 30 ms of
 * CPU (the full build costs ~300 ms to set up) and leaves fewer ways to turn a few
 * characters into a huge allocation. On top of that, expressions are parsed first
 * and only plain syntax is let through (no ranges, arrays, objects, indexing or
 * function definitions: `1:1e9` would build a 10^9-element array), and functions
 * that extend the instance, re-enter the parser, are random (results are cached)
 * or loop once per unit (`permutations(1e9)`) are disabled, as mathjs's security
 * notes advise. Evaluation is synchronous: a timeout could not stop it.
 */
import { all, create, type MathJsInstance } from "mathjs/number";
import { z } from "zod";
import { defineTool, ToolError } from "../define-tool";

export const MAX_EXPRESSION_LENGTH = 500;

/** Functions an expression must not reach: they extend the instance, re-enter the parser, or allocate at will. */
const DISABLED = [
  "import",
  "createUnit",
  "evaluate",
  "parse",
  "compile",
  "parser",
  "chain",
  "simplify",
  "simplifyConstant",
  "simplifyCore",
  "rationalize",
  "derivative",
  "resolve",
  "reviver",
  "replacer",
  "config",
  "help",
  "random",
  "randomInt",
  "pickRandom",
  // Loop-per-unit combinatorics and exact integers: a short input can take unbounded time or memory.
  "bigint",
  "combinations",
  "combinationsWithRep",
  "permutations",
  "stirlingS2",
  "bellNumbers",
  "catalan",
  "composition",
  "multinomial",
];

/** Syntax an expression may use: numbers, names, operators, calls, variables, conditionals; no arrays, ranges, objects or function definitions. */
const ALLOWED_NODES = new Set([
  "BlockNode",
  "ConstantNode",
  "SymbolNode",
  "OperatorNode",
  "ParenthesisNode",
  "FunctionNode",
  "AssignmentNode",
  "ConditionalNode",
  "RelationalNode",
]);

type Restricted = { parse: MathJsInstance["parse"]; format: MathJsInstance["format"] };
let instance: Restricted | undefined;

/** Built on first use, so an isolate that never calculates never pays for it. */
function restrictedMath(): Restricted {
  if (instance) return instance;
  const math = create(all!, {});
  const { parse, format } = math;
  const disabled = Object.fromEntries(
    DISABLED.map((name) => [
      name,
      () => {
        throw new Error(`${name} is not available in the calculator`);
      },
    ]),
  );
  math.import(disabled, { override: true });
  instance = { parse, format };
  return instance;
}

function evaluate(math: Restricted, expression: string): unknown[] {
  const node = math.parse(expression);
  let refused: string | undefined;
  node.traverse((inner) => {
    refused ??= ALLOWED_NODES.has(inner.type) ? undefined : inner.type.replace(/Node$/, "");
  });
  if (refused) throw new Error(`${refused} syntax is not supported in the calculator`);
  const value: unknown = node.compile().evaluate({});
  // `a = 1; a + 1` evaluates to a ResultSet of the visible results.
  const entries = (value as { entries?: unknown }).entries;
  return Array.isArray(entries) && node.type === "BlockNode" ? entries : [value];
}

export const calculator = defineTool({
  name: "calculator",
  description:
    "Evaluates a math expression: arithmetic, powers, factorials, functions (sqrt, sin, log, gcd, round, …), " +
    "constants (pi, e) and several expressions separated by `;` (with variables: `r = 2; pi * r^2`). " +
    "Numbers only: no units or matrices.",
  input: z.object({
    expression: z.string().trim().min(1).max(MAX_EXPRESSION_LENGTH).describe("e.g. `2 * (3 + 4) ^ 2`"),
  }),
  output: z.object({
    expression: z.string(),
    result: z.string().describe("The value, formatted (14 significant digits); several are joined by `; `"),
    value: z.number().optional().describe("The (last) value as a number, when it is a finite real number"),
  }),
  timeoutMs: 2_000,
  cacheTtlSeconds: 3_600,
  async run({ expression }) {
    const math = restrictedMath();
    let values: unknown[];
    try {
      values = evaluate(math, expression);
    } catch (error) {
      throw new ToolError("invalid_expression", error instanceof Error ? error.message : String(error));
    }
    if (values.some((value) => typeof value === "function"))
      throw new ToolError("invalid_expression", "The expression evaluates to a function, not a value");
    const texts = values.map((value) => math.format(value, { precision: 14, lowerExp: -9, upperExp: 21 }));
    const last = values.at(-1);
    const result = texts.length === 1 ? (texts[0] ?? "") : texts.join("; ");
    return typeof last === "number" && Number.isFinite(last)
      ? { expression, result, value: last }
      : { expression, result };
  },
});
