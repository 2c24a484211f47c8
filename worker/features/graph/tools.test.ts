/**
 * The graph's MCP tools, called directly (as the tool runtime will): query,
 * management and content tools against a real user's GraphSync and R2, their
 * schemas as JSON Schema, and their errors.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/worker/support/api";
import { AppError } from "../../errors";
import { GRAPH_TOOLS, graphToolDescriptors, runGraphTool } from "./tools";

let context: { env: Env; userId: string };
beforeAll(async () => {
  context = { env, userId: (await createUser()).id };
});

type Entity = {
  entity: { id: string; version: string; content: Record<string, unknown> | null; device_id: string | null };
};
const run = <T>(name: string, input: unknown) => runGraphTool(name, input, context) as Promise<T>;

describe("graph tools", () => {
  it("describe themselves with JSON Schemas, scopes and which ones are dangerous", () => {
    const descriptors = graphToolDescriptors();
    expect(descriptors.map((d) => d.name)).toEqual(GRAPH_TOOLS.map((t) => t.name));
    expect(descriptors).toHaveLength(12);
    const search = descriptors.find((d) => d.name === "graph_search_entities")!;
    expect(search).toMatchObject({ scopes: ["graph:read"], extension: "graph", dangerous: false });
    expect(search.inputSchema).toMatchObject({ type: "object", properties: { query: { type: "string" } } });
    expect(descriptors.find((d) => d.name === "graph_delete_entity")).toMatchObject({
      scopes: ["graph:write"],
      dangerous: true,
    });
    for (const descriptor of descriptors) expect(descriptor.outputSchema).toMatchObject({ type: "object" });
  });

  it("create, update, link, search, neighbours and paths work together", async () => {
    const home = await run<Entity>("graph_create_entity", { type: "home", content: { name: "Lake house" } });
    const room = await run<Entity>("graph_create_entity", { type: "room", content: { name: "Boathouse" } });
    const pump = await run<Entity>("graph_create_entity", {
      type: "device",
      content: { name: "Bilge pump", category: "appliance" },
    });
    expect(pump.entity.device_id).toBe("mcp");
    await run("graph_link", { from_id: room.entity.id, to_id: home.entity.id, type: "located_in" });
    await run("graph_link", { from_id: pump.entity.id, to_id: room.entity.id, type: "located_in" });
    const updated = await run<Entity>("graph_update_entity", {
      id: pump.entity.id,
      patch: { firmware: "2.1" },
      base_version: pump.entity.version,
    });
    expect(updated.entity.content).toMatchObject({ name: "Bilge pump", firmware: "2.1" });

    const found = await run<{ items: { id: string; name: string }[] }>("graph_search_entities", { query: "bilge" });
    expect(found.items.map((i) => i.id)).toEqual([pump.entity.id]);
    const around = await run<{ neighbours: { direction: string; entity: { name: string } }[] }>("graph_neighbours", {
      id: room.entity.id,
    });
    expect(around.neighbours.map((n) => `${n.direction} ${n.entity.name}`).sort()).toEqual([
      "in Bilge pump",
      "out Lake house",
    ]);
    const paths = await run<{ paths: { length: number }[] }>("graph_find_path", {
      from: pump.entity.id,
      to: home.entity.id,
      direction: "out",
    });
    expect(paths.paths.map((p) => p.length)).toEqual([2]);
  });

  it("attach and fetch_binary round-trip bytes with their checksum", async () => {
    const manual = await run<Entity>("graph_create_entity", { type: "manual", content: { name: "Pump manual" } });
    const data = btoa("bilge pump manual, page 1");
    const attached = await run<{ attachment: { id: string; checksum: string } }>("graph_attach", {
      entity_id: manual.entity.id,
      file_name: "pump.txt",
      content_type: "text/plain",
      data_base64: data,
    });
    const fetched = await run<{ data_base64: string; checksum: string; file_name: string }>("graph_fetch_binary", {
      attachment_id: attached.attachment.id,
    });
    expect(fetched).toMatchObject({ data_base64: data, checksum: attached.attachment.checksum, file_name: "pump.txt" });
  });

  it("refuses bad input, unknown ids, unknown types and stale versions with the API's errors", async () => {
    await expect(run("graph_get_entity", { id: "no such id!" })).rejects.toThrow();
    await expect(run("graph_get_entity", { id: "missing" })).rejects.toMatchObject({
      status: 404,
      code: "unknown_entity",
    });
    await expect(run("graph_create_entity", { type: "castle", content: { name: "X" } })).rejects.toBeInstanceOf(
      AppError,
    );
    const zone = await run<Entity>("graph_create_entity", { type: "zone", content: { name: "Dock" } });
    await run("graph_update_entity", { id: zone.entity.id, patch: { description: "new" } });
    await expect(
      run("graph_update_entity", {
        id: zone.entity.id,
        patch: { description: "old" },
        base_version: zone.entity.version,
      }),
    ).rejects.toMatchObject({ status: 409, code: "version_conflict" });
    const deleted = await run<Entity>("graph_delete_entity", { id: zone.entity.id });
    expect(deleted.entity.content).toBeNull();
    expect(await run("graph_list_conflicts", {})).toEqual({ items: [] });
  });
});
