/**
 * The scopes a workflow definition's steps use: a tool step the tool's (and
 * `tools:execute`), an HTTP step `tools:execute` (an outbound request, like the
 * http_fetch tool), an agent step `agents:write`. Saving a version needs them, as
 * creating a tool task or schedule does, so a key cannot put into a workflow a step
 * it could not run itself (schedules run a workflow's latest version).
 */
import { AppError } from "../../../errors";
import type { Scope } from "../../auth/scopes";
import { BUILTIN_EXTENSIONS } from "../../extensions/catalog";
import { enabledTools } from "../../tools/resolve";
import { flattenSteps, type WorkflowDefinition } from "./definition";

/** A built-in tool the user has not enabled yet still counts: enabling it later must not widen the workflow. */
const BUILTIN_TOOL_SCOPES = new Map(
  BUILTIN_EXTENSIONS.flatMap((extension) => extension.tools.map((tool) => [tool.name, tool.scopes] as const)),
);

export async function scopesUsedBy(env: Env, userId: string, definition: WorkflowDefinition): Promise<Scope[]> {
  const used = new Set<Scope>();
  let tools: Awaited<ReturnType<typeof enabledTools>> | null = null;
  for (const { step } of flattenSteps(definition.steps)) {
    if (step.kind === "http") used.add("tools:execute");
    if (step.kind === "agent") used.add("agents:write");
    if (step.kind !== "tool") continue;
    used.add("tools:execute");
    tools ??= await enabledTools(env, userId);
    for (const scope of tools.get(step.tool)?.tool.scopes ?? BUILTIN_TOOL_SCOPES.get(step.tool) ?? []) used.add(scope);
  }
  return [...used];
}

/** 403 scope_not_allowed naming what the caller lacks. */
export async function requireStepScopes(
  env: Env,
  caller: { userId: string; scopes: ReadonlySet<Scope> },
  definition: WorkflowDefinition,
): Promise<void> {
  const missing = (await scopesUsedBy(env, caller.userId, definition)).filter((scope) => !caller.scopes.has(scope));
  if (missing.length)
    throw new AppError(
      403,
      "scope_not_allowed",
      `This workflow's steps need scopes you do not hold: ${missing.join(", ")}`,
      {
        missing,
      },
    );
}

/** Whether the step may run with `scopes`; the failure names what is missing. */
export function missingForStep(kind: string, scopes: ReadonlySet<Scope>): Scope[] {
  const needed: Scope[] = kind === "http" ? ["tools:execute"] : kind === "agent" ? ["agents:write"] : [];
  return needed.filter((scope) => !scopes.has(scope));
}
