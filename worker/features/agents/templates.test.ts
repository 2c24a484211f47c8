/**
 * The template gallery and "create agent from template" through HTTP: the
 * catalogue, template copies with numbered names, overrides, and refusals.
 */
import { describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import type { AgentDto } from "./schemas";
import type { AgentTemplate } from "./templates";

const BUILT_IN_TOOLS = ["calculator", "current_time", "http_fetch", "http_request", "web_search"];

const fromTemplate = (user: TestUser, body: unknown) =>
  call("/api/v1/agents/from-template", { token: user.accessToken, body });

async function created(res: Response): Promise<AgentDto> {
  expect(res.status, await res.clone().text()).toBe(201);
  return json<AgentDto>(res);
}

describe("GET /agent-templates", () => {
  it("offers at least the five starting points, each complete and using built-in tools", async () => {
    const user = await createUser();
    const res = await call("/api/v1/agent-templates", { token: user.accessToken });
    expect(res.status).toBe(200);
    const { items } = await json<{ items: AgentTemplate[] }>(res);
    const ids = items.map((template) => template.id);
    for (const id of [
      "general-assistant",
      "research-assistant",
      "document-analyst",
      "web-automator",
      "project-analyst",
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const template of items) {
      expect(template.description.length, template.id).toBeGreaterThan(20);
      expect(template.system_prompt.length, template.id).toBeGreaterThan(300);
      expect(template.tools.length, template.id).toBeGreaterThan(0);
      for (const tool of template.tools) expect(BUILT_IN_TOOLS, `${template.id} ${tool}`).toContain(tool);
    }
    expect(items.find((template) => template.id === "research-assistant")).toMatchObject({
      type: "research",
      tools: expect.arrayContaining(["web_search", "http_fetch"]),
    });
  });

  it("reads one template by id, and answers 404 for an unknown one", async () => {
    const user = await createUser();
    const res = await call("/api/v1/agent-templates/web-automator", { token: user.accessToken });
    expect(await json(res)).toMatchObject({ id: "web-automator", type: "web", name: "Web automator" });
    await expectError(
      await call("/api/v1/agent-templates/time-machine", { token: user.accessToken }),
      404,
      "not_found",
    );
  });
});

describe("POST /agents/from-template", () => {
  it("copies the template into a new agent that remembers where it came from", async () => {
    const user = await createUser();
    const template = await json<AgentTemplate>(
      await call("/api/v1/agent-templates/research-assistant", { token: user.accessToken }),
    );
    const agent = await created(await fromTemplate(user, { template_id: "research-assistant" }));
    expect(agent).toMatchObject({
      name: template.name,
      type: template.type,
      model: "offline:assistant",
      system_prompt: template.system_prompt,
      tools: template.tools,
      config: template.config,
      template_id: "research-assistant",
      active: true,
    });
    const [audit] = await rows<{ new_values: string }>(
      "SELECT new_values FROM audit_logs WHERE resource_id = ? AND action = 'agent.create'",
      agent.id,
    );
    expect(JSON.parse(audit!.new_values)).toMatchObject({ template_id: "research-assistant" });
  });

  it("numbers the copies when the template's name is taken, and refuses a taken name given explicitly", async () => {
    const user = await createUser();
    const names = [];
    for (let i = 0; i < 3; i++) {
      names.push((await created(await fromTemplate(user, { template_id: "document-analyst" }))).name);
    }
    expect(names).toEqual(["Document analyst", "Document analyst (2)", "Document analyst (3)"]);
    await expectError(
      await fromTemplate(user, { template_id: "document-analyst", name: "Document analyst (2)" }),
      409,
      "agent_name_taken",
    );
    const named = await created(await fromTemplate(user, { template_id: "document-analyst", name: "Contracts" }));
    expect(named.name).toBe("Contracts");
  });

  it("applies the model and overrides: config merged over the template's, the rest replaced", async () => {
    const user = await createUser();
    const agent = await created(
      await fromTemplate(user, {
        template_id: "web-automator",
        name: "Deployer",
        model: "my-openai:gpt-4o-mini",
        overrides: {
          tools: ["http_request"],
          config: { temperature: 0.5, max_output_tokens: 1000 },
          fallback_models: ["offline:assistant"],
          active: false,
        },
      }),
    );
    expect(agent).toMatchObject({
      name: "Deployer",
      type: "web",
      model: "my-openai:gpt-4o-mini",
      fallback_models: ["offline:assistant"],
      tools: ["http_request"],
      config: { temperature: 0.5, max_steps: 12, tool_timeout_ms: 20_000, max_output_tokens: 1000 },
      active: false,
      template_id: "web-automator",
    });
  });

  it("answers 404 for an unknown template and 400 for bad overrides, creating nothing", async () => {
    const user = await createUser();
    await expectError(await fromTemplate(user, { template_id: "time-machine" }), 404, "unknown_template");
    await expectError(
      await fromTemplate(user, { template_id: "web-automator", overrides: { config: { temperature: 9 } } }),
      400,
      "validation_failed",
    );
    await expectError(
      await fromTemplate(user, { template_id: "web-automator", overrides: { name: "sneaky" } }),
      400,
      "validation_failed",
    );
    await expectError(
      await fromTemplate(user, { template_id: "web-automator", model: "nope" }),
      400,
      "validation_failed",
    );
    expect(await rows("SELECT id FROM agents WHERE user_id = ?", user.id)).toEqual([]);
  });
});
