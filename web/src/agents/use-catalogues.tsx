/**
 * The catalogues the agent forms offer (GET /models, GET /tools, GET /agent-templates),
 * each loaded once per page. A catalogue that fails to load leaves its field free-form.
 */
import { useEffect, useState } from "react";
import { agentsApi } from "./api";
import type { AgentTemplate, ModelCatalog, ToolInfo } from "./types";

function useLoaded<T>(load: () => Promise<T>): { value: T | null; error: unknown } {
  const [state, setState] = useState<{ value: T | null; error: unknown }>({ value: null, error: null });
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ value, error: null }),
      (error: unknown) => live && setState({ value: null, error }),
    );
    return () => {
      live = false;
    };
  }, [load]);
  return state;
}

export const useModels = () => useLoaded<ModelCatalog>(agentsApi.models);
export const useTools = () => useLoaded<{ items: ToolInfo[] }>(agentsApi.tools);
export const useTemplates = () => useLoaded<{ items: AgentTemplate[] }>(agentsApi.templates);

/** Model specs to suggest: the usable built-ins, then a `name:` prefix for each of your providers. */
export function modelSuggestions(catalog: ModelCatalog | null): string[] {
  if (!catalog) return [];
  const builtin = catalog.builtin.filter((model) => model.available).map((model) => model.spec);
  return [...new Set([catalog.default_model, ...builtin, ...catalog.providers.map((p) => p.spec_prefix)])];
}

export function ModelOptions({ id, catalog }: { id: string; catalog: ModelCatalog | null }) {
  return (
    <datalist id={id}>
      {modelSuggestions(catalog).map((spec) => (
        <option key={spec} value={spec} />
      ))}
    </datalist>
  );
}
