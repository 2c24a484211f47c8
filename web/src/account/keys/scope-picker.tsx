/** Checkboxes for an API key's scopes, grouped by resource; only scopes the user holds are offered. */

type ScopePickerProps = { available: string[]; selected: Set<string>; onChange: (next: Set<string>) => void };

function groupByResource(scopes: string[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const scope of scopes) {
    const resource = scope.split(":")[0] ?? scope;
    groups.set(resource, [...(groups.get(resource) ?? []), scope]);
  }
  return [...groups];
}

export function ScopePicker({ available, selected, onChange }: ScopePickerProps) {
  const toggle = (scope: string) => {
    const next = new Set(selected);
    if (next.has(scope)) next.delete(scope);
    else next.add(scope);
    onChange(next);
  };
  const pick = (filter: (scope: string) => boolean) => onChange(new Set(available.filter(filter)));

  return (
    <fieldset className="scopes">
      <legend>
        Scopes
        <span className="scope-shortcuts">
          <button type="button" className="link-button" onClick={() => pick((s) => s.endsWith(":read"))}>
            Read-only
          </button>
          <button type="button" className="link-button" onClick={() => pick(() => true)}>
            All
          </button>
          <button type="button" className="link-button" onClick={() => pick(() => false)}>
            None
          </button>
        </span>
      </legend>
      <div className="scope-grid">
        {groupByResource(available).map(([resource, scopes]) => (
          <div key={resource} className="scope-group">
            <span className="scope-resource">{resource}</span>
            {scopes.map((scope) => (
              <label key={scope} className="checkbox">
                <input
                  type="checkbox"
                  checked={selected.has(scope)}
                  onChange={() => toggle(scope)}
                  data-testid={`scope-${scope}`}
                />
                {scope.split(":")[1] ?? scope}
              </label>
            ))}
          </div>
        ))}
      </div>
    </fieldset>
  );
}
