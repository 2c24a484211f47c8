/**
 * `edgewise agents ls|create|show|rm|templates`: your agents and the template
 * catalogue. `create --template <id>` makes an agent from a template; without it,
 * from the flags. Agents are named by id or by name everywhere.
 */
import { type Command, InvalidArgumentError } from "commander";
import { AnyJson } from "../api-types";
import { contextFrom } from "../context";
import { CliError } from "../errors";
import { notice, printJson, printLine, renderPairs, renderTable, shortDate } from "../output";
import { Agent, agentPath, findAgent, listAgents, TemplateList } from "./agents-api";

/** `--tool a --tool b,c` → [a, b, c]. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

function temperature(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 2) throw new InvalidArgumentError("expected 0–2");
  return number;
}

async function list(options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const agents = await listAgents(client);
  if (options.json) return printJson(agents);
  if (agents.length === 0)
    return notice("No agents yet; try `edgewise agents templates`, then `agents create --template <id>`.");
  const rows = agents.map((agent) => [
    agent.id,
    agent.name,
    agent.type,
    agent.model,
    agent.tools.join(",") || "-",
    agent.active ? "active" : "inactive",
  ]);
  printLine(renderTable(["ID", "NAME", "TYPE", "MODEL", "TOOLS", "STATUS"], rows));
}

type CreateOptions = {
  template?: string;
  name?: string;
  model?: string;
  type?: string;
  systemPrompt?: string;
  tool?: string[];
  temperature?: number;
  json?: boolean;
};

async function create(options: CreateOptions, command: Command): Promise<void> {
  if (!options.template && !options.name) {
    throw new CliError("usage", "give --template <id> (see `edgewise agents templates`) or --name for a blank agent");
  }
  const { client } = contextFrom(command);
  const agent = options.template
    ? await client.post(
        "/agents/from-template",
        Agent,
        {
          template_id: options.template,
          name: options.name,
          model: options.model,
          overrides:
            options.systemPrompt !== undefined || options.tool || options.type
              ? { system_prompt: options.systemPrompt, tools: options.tool, type: options.type }
              : undefined,
        },
        { idempotent: true },
      )
    : await client.post(
        "/agents",
        Agent,
        {
          name: options.name,
          model: options.model,
          type: options.type,
          system_prompt: options.systemPrompt,
          tools: options.tool,
          config: options.temperature === undefined ? undefined : { temperature: options.temperature },
        },
        { idempotent: true },
      );
  if (options.json) return printJson(agent);
  printLine(`Created agent "${agent.name}" (${agent.id}) with ${agent.model}.`);
  notice(`Chat with it: edgewise chat ${agent.id}`);
}

async function show(reference: string, options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const agent = await findAgent(client, reference);
  if (options.json) return printJson(agent);
  printLine(`${agent.name} (${agent.id})`);
  printLine(
    renderPairs([
      ["type", agent.type],
      ["model", agent.model],
      ["fallbacks", agent.fallback_models.join(", ") || "-"],
      ["tools", agent.tools.join(", ") || "-"],
      ["config", JSON.stringify(agent.config)],
      ["template", agent.template_id ?? "-"],
      ["status", agent.active ? "active" : "inactive"],
      ["created", shortDate(agent.created_at)],
      ["updated", shortDate(agent.updated_at)],
    ]),
  );
  if (agent.system_prompt) printLine(`\n${agent.system_prompt}`);
}

async function remove(reference: string, _options: unknown, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const agent = await findAgent(client, reference);
  await client.delete(agentPath(agent.id), AnyJson);
  printLine(`Deleted agent "${agent.name}" (${agent.id}) and its sessions.`);
}

async function templates(options: { json?: boolean }, command: Command): Promise<void> {
  const { client } = contextFrom(command);
  const { items } = await client.get("/agent-templates", TemplateList);
  if (options.json) return printJson(items);
  const rows = items.map((template) => [template.id, template.name, template.tools.join(","), template.description]);
  printLine(renderTable(["ID", "NAME", "TOOLS", "DESCRIPTION"], rows));
}

export function registerAgents(program: Command): void {
  const agents = program.command("agents").description("create, list, show and delete your agents");
  agents
    .command("ls")
    .alias("list")
    .description("list your agents, newest first")
    .option("--json", "print JSON")
    .action(list);
  agents
    .command("create")
    .description("create an agent, from a template (--template) or from scratch (--name)")
    .option("--template <id>", "start from this template (see `agents templates`)")
    .option("--name <name>", "the agent's name (from a template: defaults to the template's)")
    .option("--model <provider:model>", "e.g. offline:assistant (default: the system's default model)")
    .option("--type <type>", "assistant, research, document, web, project or custom")
    .option("--system-prompt <text>", "the system prompt")
    .option("--tool <name>", "a tool the agent may call (repeatable, or comma-separated)", collect)
    .option("--temperature <t>", "0–2 (from scratch only)", temperature)
    .option("--json", "print the agent as JSON")
    .action(create);
  agents
    .command("show")
    .description("show one agent")
    .argument("<agent>", "its id or name")
    .option("--json", "print JSON")
    .action(show);
  agents
    .command("rm")
    .alias("delete")
    .description("delete an agent and its sessions")
    .argument("<agent>", "its id or name")
    .action(remove);
  agents.command("templates").description("list the agent templates").option("--json", "print JSON").action(templates);
}
