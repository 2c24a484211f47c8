/**
 * The agent editor's form state: strings while typing, turned into the API's
 * AgentInput on save (numbers parsed, empty settings left out so the system's
 * agent_defaults apply). Problems found here are shown before anything is sent.
 */
import { AGENT_TYPES, type Agent, type AgentConfig, type AgentInput, type AgentType } from "./types";

export const NUMBER_SETTINGS = [
  { key: "temperature", label: "Temperature", hint: "0–2; lower is more focused", min: 0, max: 2, step: 0.1 },
  { key: "max_steps", label: "Max steps", hint: "Model calls per turn (1–50)", min: 1, max: 50, step: 1 },
  { key: "max_output_tokens", label: "Max output tokens", hint: "Per model call", min: 1, max: 200_000, step: 1 },
  { key: "tool_timeout_ms", label: "Tool timeout (ms)", hint: "Per tool call", min: 100, max: 300_000, step: 100 },
  { key: "history_window", label: "History window", hint: "Messages kept verbatim", min: 2, max: 500, step: 1 },
  {
    key: "context_budget_tokens",
    label: "Context budget (tokens)",
    hint: "Older turns are summarised past this",
    min: 500,
    max: 2_000_000,
    step: 100,
  },
] as const;

type NumberKey = (typeof NUMBER_SETTINGS)[number]["key"];

export type AgentForm = {
  name: string;
  type: AgentType;
  model: string;
  fallbackModels: string;
  systemPrompt: string;
  tools: string[];
  numbers: Record<NumberKey, string>;
  memoryRetrieval: boolean;
  active: boolean;
};

const numbersOf = (config: AgentConfig): Record<NumberKey, string> =>
  Object.fromEntries(
    NUMBER_SETTINGS.map(({ key }) => [key, config[key] === undefined ? "" : String(config[key])]),
  ) as Record<NumberKey, string>;

export function emptyForm(defaultModel = ""): AgentForm {
  return {
    name: "",
    type: "assistant",
    model: defaultModel,
    fallbackModels: "",
    systemPrompt: "",
    tools: [],
    numbers: numbersOf({}),
    memoryRetrieval: false,
    active: true,
  };
}

export function formOf(agent: Agent): AgentForm {
  return {
    name: agent.name,
    type: agent.type,
    model: agent.model,
    fallbackModels: agent.fallback_models.join(", "),
    systemPrompt: agent.system_prompt,
    tools: agent.tools,
    numbers: numbersOf(agent.config),
    memoryRetrieval: agent.config.memory_retrieval === true,
    active: agent.active,
  };
}

export const toAgentType = (value: string): AgentType => AGENT_TYPES.find((type) => type === value) ?? "custom";

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

/** The API input, or the first problem to show. */
export function inputOf(form: AgentForm): { input: AgentInput } | { problem: string } {
  if (!form.name.trim()) return { problem: "Give the agent a name." };
  if (!form.model.trim()) return { problem: "Choose a model, as provider:model (e.g. offline:assistant)." };
  const config: AgentConfig = {};
  for (const setting of NUMBER_SETTINGS) {
    const raw = form.numbers[setting.key].trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < setting.min || value > setting.max) {
      return { problem: `${setting.label} must be between ${setting.min} and ${setting.max}.` };
    }
    config[setting.key] = value;
  }
  if (form.memoryRetrieval) config.memory_retrieval = true;
  return {
    input: {
      name: form.name.trim(),
      type: form.type,
      model: form.model.trim(),
      fallback_models: splitList(form.fallbackModels),
      system_prompt: form.systemPrompt,
      tools: form.tools,
      config,
      active: form.active,
    },
  };
}
