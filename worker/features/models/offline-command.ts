/**
 * The `/tool_name {json}` command the offline model understands: parsing it from
 * the user's message, and describing a tool's input so users know what to type.
 */
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider";

export type Command =
  | { name: string; ok: true; input: Record<string, unknown> }
  | { name: string; ok: false; error: string };

const COMMAND = /^\/([A-Za-z][\w.-]{0,63})(?:\s+([\s\S]*))?$/;

/** The command in a message, or null when the message is not one. */
export function parseCommand(text: string): Command | null {
  const match = COMMAND.exec(text.trim());
  if (!match) return null;
  const name = match[1]!;
  const raw = match[2]?.trim() ?? "";
  if (raw === "") return { name, ok: true, input: {} };
  let input: unknown;
  try {
    input = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      name,
      ok: false,
      error: `its input is not valid JSON (${reason}). Write it as \`/${name} {"key": "value"}\`.`,
    };
  }
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return { name, ok: false, error: `its input must be a JSON object, like \`/${name} {"key": "value"}\`.` };
  return { name, ok: true, input: input as Record<string, unknown> };
}

type PropertySchema = { type?: unknown; description?: unknown };

/** "— what it does. Input: {a: string (required), b: number}" */
export function describeCommand(tool: LanguageModelV4FunctionTool): string {
  const schema = tool.inputSchema as { properties?: Record<string, PropertySchema>; required?: string[] };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const type = Array.isArray(property.type) ? property.type.join("|") : String(property.type ?? "any");
    return `${name}: ${type}${required.has(name) ? " (required)" : ""}`;
  });
  const what = tool.description ? `— ${tool.description.trim()}` : "";
  return `${what}${fields.length ? ` Input: {${fields.join(", ")}}` : " (no input)"}`.trim();
}
