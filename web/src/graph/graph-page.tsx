/** /graph: your entity graph — search and list, an entity with its relationships and history, conflicts, live. */
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Spinner } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { type ConflictState, type EntityState, graphApi, nameOf } from "./api";
import { ConflictsPanel } from "./conflicts-panel";
import { EntityDetail } from "./entity-detail";
import { useLiveGraph } from "./use-live-graph";
import "./graph.css";

const TYPES = [
  "",
  "home",
  "room",
  "zone",
  "device",
  "door",
  "window",
  "procedure",
  "manual",
  "note",
  "schedule",
  "automation",
];

export function GraphPage() {
  const [q, setQ] = useState("");
  const [type, setType] = useState("");
  const [entities, setEntities] = useState<EntityState[] | null>(null);
  const [conflicts, setConflicts] = useState<ConflictState[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const latest = useRef(0);

  /** Loads the list and the pending conflicts; an answer to an older load is dropped. */
  const load = useCallback(() => {
    const request = ++latest.current;
    Promise.all([graphApi.list({ q, type, cursor: null }), graphApi.conflicts()])
      .then(([page, pending]) => {
        if (request !== latest.current) return;
        setEntities(page.items);
        setConflicts(pending.items);
        setError(null);
      })
      .catch((caught: unknown) => request === latest.current && setError(describeError(caught)));
  }, [q, type]);
  const refresh = useCallback(() => {
    load();
    setRevision((n) => n + 1);
  }, [load]);
  const live = useLiveGraph(refresh);
  useEffect(load, [load]);

  return (
    <>
      <PageHeader
        title="Entity graph"
        description="Your home graph as every device syncs it. Changes from other devices appear here live."
        actions={
          <span className={`badge badge-${live === "live" ? "success" : "muted"}`} data-testid="graph-live">
            {live}
          </span>
        }
      />
      <ConflictsPanel conflicts={conflicts} onResolved={refresh} />
      <div className="graph-layout">
        <section className="card">
          <div className="card-header row">
            <input
              type="search"
              placeholder="Search names and content"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              aria-label="Search"
            />
            <select value={type} onChange={(e) => setType(e.target.value)} aria-label="Type">
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t || "all types"}
                </option>
              ))}
            </select>
          </div>
          {error ? <Alert kind="error">{error}</Alert> : null}
          {entities === null ? <Spinner label="Loading the graph…" /> : null}
          {entities?.length === 0 ? (
            <p className="muted">Nothing here yet. Add entities with the CLI (`edgewise graph add`) or the API.</p>
          ) : null}
          <ul className="entity-list" data-testid="graph-entities">
            {entities?.map((entity) => (
              <li key={entity.id}>
                <button
                  type="button"
                  className={`link-button${entity.id === selected ? " active" : ""}`}
                  onClick={() => setSelected(entity.id)}
                >
                  {nameOf(entity)} <span className="muted small">{entity.type}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          {selected ? (
            <EntityDetail key={`${selected}:${revision}`} id={selected} onPick={setSelected} />
          ) : (
            <p className="muted">Pick an entity to see it.</p>
          )}
        </section>
      </div>
    </>
  );
}
