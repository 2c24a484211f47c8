/**
 * The seam between automation and the rest of the platform: tool-call steps run
 * through a ToolRuntime (worker/features/tools/contract.ts) and agent-prompt steps
 * through an AgentPrompter: the real tool runtime, and a chat session with the
 * agent (./chat-prompter.ts). Tests override either with `setAutomationDeps`.
 */
import type { Scope } from "../../auth/scopes";
import type { ToolRuntime } from "../../tools/contract";
import { toolRuntime } from "../../tools/runtime";
import { chatPrompter } from "./chat-prompter";

export type AgentPromptRequest = {
  userId: string;
  scopes: ReadonlySet<Scope>;
  agentId: string;
  prompt: string;
  /** Stable across retries of the same step, so a resumed run can find an answer already given. */
  idempotencyKey: string;
  signal: AbortSignal;
};

export type AgentAnswer =
  | { ok: true; text: string; costMicros: number; sessionId?: string }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Sends one prompt to one of the user's agents and returns its final answer. */
export interface AgentPrompter {
  prompt(env: Env, request: AgentPromptRequest): Promise<AgentAnswer>;
}

export type AutomationDeps = { tools: ToolRuntime; agents: AgentPrompter };

let current: AutomationDeps = { tools: toolRuntime, agents: chatPrompter };

export function automationDeps(): AutomationDeps {
  return current;
}

/** Replaces some dependencies; returns a function that restores the previous ones. */
export function setAutomationDeps(next: Partial<AutomationDeps>): () => void {
  const previous = current;
  current = { ...current, ...next };
  return () => {
    current = previous;
  };
}
