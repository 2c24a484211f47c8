/** /memory: search what the platform remembers (matches highlighted, sources cited), add, edit, tag and forget. */
import { type FormEvent, useCallback, useState } from "react";
import { describeError } from "../api/errors";
import type { Memory, MemoryHit, MemorySearch } from "../api/types";
import { Alert, Button } from "../ui/form";
import { formatRelative } from "../ui/format";
import { PageHeader } from "../ui/page-header";
import { PagedList } from "../ui/paged-list";
import { useAction } from "../ui/use-action";
import { usePages } from "../ui/use-pages";
import { memoryApi } from "./api";
import { Highlight } from "./highlight";
import { MemoryForm } from "./memory-form";
import "../files/files.css";

function sourceOf(hit: MemoryHit): string {
  const { filename, page, sheet, heading } = hit.citation;
  if (!filename) return `memory · ${hit.memory.category}`;
  return [filename, page ? `page ${page}` : sheet ? `sheet ${sheet}` : heading].filter(Boolean).join(" · ");
}

function SearchCard() {
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState("hybrid");
  const [result, setResult] = useState<MemorySearch | null>(null);
  const search = useAction(() => memoryApi.search(query.trim(), mode));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (query.trim()) setResult((await search.run()) ?? null);
  };

  return (
    <section className="card card-padded stack">
      <form className="row-actions" onSubmit={submit}>
        <input
          className="input-sm grow"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="Search memories and indexed files…"
          aria-label="Search memories"
        />
        <select
          className="input-sm"
          value={mode}
          onChange={(event) => setMode(event.target.value)}
          aria-label="Search mode"
        >
          <option value="hybrid">Hybrid</option>
          <option value="keyword">Keyword</option>
          <option value="vector">Semantic</option>
        </select>
        <Button type="submit" size="sm" busy={search.busy}>
          Search
        </Button>
      </form>
      {search.error ? <Alert kind="error">{search.error}</Alert> : null}
      {result ? (
        result.results.length ? (
          <ol className="upload-list" data-testid="search-results">
            {result.results.map((hit) => (
              <li key={hit.chunk_id} className="hit" data-testid="search-hit">
                <p className="muted small">
                  {sourceOf(hit)}
                  {hit.memory.tags.map((tag) => (
                    <span key={tag} className="chip chip-sm">
                      {tag}
                    </span>
                  ))}
                </p>
                <p>
                  <Highlight text={hit.content} terms={result.terms} />
                </p>
              </li>
            ))}
          </ol>
        ) : (
          <p className="empty">Nothing matches.</p>
        )
      ) : null}
    </section>
  );
}

function MemoryRow({
  memory,
  onChanged,
  onDeleted,
}: {
  memory: Memory;
  onChanged: (m: Memory) => void;
  onDeleted: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    try {
      await memoryApi.remove(memory.id);
      onDeleted();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  if (editing) {
    return (
      <li className="hit">
        <MemoryForm
          memory={memory}
          onSaved={(saved) => {
            setEditing(false);
            onChanged(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li className="hit" data-testid="memory-row" data-memory-id={memory.id}>
      <p className="muted small">
        {memory.category} · {memory.source} · {memory.scope}
        {memory.expires_at ? ` · forgotten ${formatRelative(memory.expires_at)}` : ""}
        {memory.tags.map((tag) => (
          <span key={tag} className="chip chip-sm">
            {tag}
          </span>
        ))}
      </p>
      <p>{memory.content.length > 400 ? `${memory.content.slice(0, 400)}…` : memory.content}</p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {memory.owned ? (
        <div className="row-actions">
          <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button size="sm" variant="ghost" onClick={() => void remove()}>
            Forget
          </Button>
        </div>
      ) : null}
    </li>
  );
}

export function MemoryPage() {
  const [category, setCategory] = useState("");
  const loader = useCallback((cursor: string | null) => memoryApi.list(cursor, category.trim()), [category]);
  const memories = usePages<Memory>(loader);
  return (
    <>
      <PageHeader
        title="Memory"
        description="Everything the platform remembers for you: inspect, search, edit, forget."
      />
      <SearchCard />
      <MemoryForm onSaved={() => memories.reload()} />
      <section className="card">
        <div className="card-header">
          <h2>Memories</h2>
          <input
            className="input-sm"
            placeholder="Category…"
            value={category}
            onChange={(event) => setCategory(event.target.value)}
            aria-label="Filter by category"
          />
        </div>
        {memories.error ? <Alert kind="error">{describeError(memories.error)}</Alert> : null}
        <div className="card-padded">
          <PagedList pages={memories} loadingLabel="Loading memories…" empty="Nothing remembered yet.">
            {(items) => (
              <ul className="upload-list" data-testid="memory-list">
                {items.map((memory) => (
                  <MemoryRow key={memory.id} memory={memory} onChanged={memories.replace} onDeleted={memories.reload} />
                ))}
              </ul>
            )}
          </PagedList>
        </div>
      </section>
    </>
  );
}
