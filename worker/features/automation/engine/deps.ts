/**
 * The seam between automation and the rest of the platform: tool-call steps run
 * through a ToolRuntime (worker/features/tools/contract.ts) and agent-prompt steps
 * through an AgentPrompter: the real tool runtime, and a chat session with the
 * agent (./chat-prompter.ts). Tests override either with `setAutomationDeps`.
 */

import type { ToolRuntime } from "../../tools/contract";
import { toolRuntime } from "../../tools/runtime";
import type { AgentPrompter } from "./agent-prompter";
import { chatPrompter } from "./chat-prompter";

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
