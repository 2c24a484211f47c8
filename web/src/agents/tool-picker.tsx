/**
 * The agent's tools: a checkbox per tool you can use (GET /tools, dangerous ones
 * marked), the agent's tools that are not in that list (a disabled extension, an
 * MCP server), and a box to add one by name.
 */
import { useState } from "react";
import { Button } from "../ui/form";
import { Link } from "../ui/router";
import type { ToolInfo } from "./types";

type ToolPickerProps = { available: ToolInfo[] | null; selected: string[]; onChange: (next: string[]) => void };

export function ToolPicker({ available, selected, onChange }: ToolPickerProps) {
  const [extra, setExtra] = useState("");
  const known = new Set((available ?? []).map((tool) => tool.name));
  const others = selected.filter((name) => !known.has(name));
  const toggle = (name: string) =>
    onChange(selected.includes(name) ? selected.filter((item) => item !== name) : [...selected, name]);
  const add = () => {
    const name = extra.trim();
    if (name && !selected.includes(name)) onChange([...selected, name]);
    setExtra("");
  };

  return (
    <fieldset className="tool-picker">
      <legend>Tools</legend>
      {available === null ? <p className="muted small">The tool list is unavailable; add tools by name.</p> : null}
      <div className="tool-options">
        {(available ?? []).map((tool) => (
          <label key={tool.name} className="tool-option" title={tool.description}>
            <input
              type="checkbox"
              checked={selected.includes(tool.name)}
              onChange={() => toggle(tool.name)}
              data-testid={`tool-${tool.name}`}
            />
            <span>
              <span className="tool-option-name">{tool.name}</span>
              {tool.dangerous ? <span className="badge badge-warning">needs approval</span> : null}
              <span className="muted small tool-option-description">{tool.description}</span>
            </span>
          </label>
        ))}
        {others.map((name) => (
          <label key={name} className="tool-option" title="Not among your enabled tools right now">
            <input type="checkbox" checked onChange={() => toggle(name)} />
            <span>
              <span className="tool-option-name">{name}</span>
              <span className="badge badge-muted">not enabled</span>
            </span>
          </label>
        ))}
      </div>
      {others.length ? (
        <p className="muted small">
          Tools marked “not enabled” come from an extension you have not turned on:{" "}
          <Link to="/tools">enable it on the Tools page</Link>.
        </p>
      ) : null}
      <div className="inline-actions tool-add">
        <input
          aria-label="Add a tool by name"
          placeholder="Add a tool by name"
          value={extra}
          onChange={(e) => setExtra(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
        />
        <Button variant="secondary" size="sm" onClick={add} disabled={!extra.trim()}>
          Add
        </Button>
      </div>
    </fieldset>
  );
}
