/**
 * `calculator`: arithmetic, units and functions through mathjs's expression parser
 * (never JavaScript eval). The instance is restricted the way mathjs's security
 * notes advise: no import, createUnit, evaluate/parse/compile from inside an
 * expression, nothing random (results are cached), and nothing that turns a few
 * characters into a large allocation or a long loop (`1:1e9`, `zeros(1e5, 1e5)`,
 * `fraction(1, 3) ^ 1e9`, `permutations(1e9)`): evaluation is synchronous, so a
 * timeout could not stop it.
 */
import { all, create, type MathJsInstance } from "mathjs";
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
  "range",
  "zeros",
  "ones",
  "identity",
  "diag",
  "resize",
  "matrixFromFunction",
  "random",
  "randomInt",
  "pickRandom",
  // Exact arithmetic and loop-per-unit combinatorics: a short input can take unbounded time or memory.
  "bigint",
  "fraction",
  "combinations",
  "combinationsWithRep",
  "permutations",
  "stirlingS2",
  "bellNumbers",
  "catalan",
  "composition",
  "multinomial",
];

let instance: { evaluate: MathJsInstance["evaluate"]; format: MathJsInstance["format"] } | undefined;

/** Built on first use: creating a full mathjs instance takes a few milliseconds an isolate need not pay up front. */
function restrictedMath() {
  if (instance) return instance;
  const math = create(all!, { number: "number", precision: 64 });
  const { evaluate, format } = math;
  const disabled = Object.fromEntries(
    DISABLED.map((name) => [
      name,
      () => {
        throw new Error(`${name} is not available in the calculator`);
      },
    ]),
  );
  math.import(disabled, { override: true });
  instance = { evaluate, format };
  return instance;
}

export const calculator = defineTool({
  name: "calculator",
  description:
    "Evaluates a math expression: arithmetic, powers, functions (sqrt, sin, log, …), units (`5 km to mile`), " +
    "matrices and several expressions separated by `;`. Not a programming language.",
  input: z.object({
    expression: z.string().trim().min(1).max(MAX_EXPRESSION_LENGTH).describe("e.g. `2 * (3 + 4) ^ 2`"),
  }),
  output: z.object({
    expression: z.string(),
    result: z.string().describe("The value, formatted (14 significant digits)"),
    value: z.number().optional().describe("The value as a number, when it is a plain real number"),
  }),
  timeoutMs: 2_000,
  cacheTtlSeconds: 3_600,
  async run({ expression }) {
    const math = restrictedMath();
    let value: unknown;
    try {
      value = math.evaluate(expression);
    } catch (error) {
      throw new ToolError("invalid_expression", error instanceof Error ? error.message : String(error));
    }
    if (typeof value === "function") throw new ToolError("invalid_expression", "The expression defines a function");
    const result = math.format(value, { precision: 14 });
    return typeof value === "number" && Number.isFinite(value) ? { expression, result, value } : { expression, result };
  },
});
