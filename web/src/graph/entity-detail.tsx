/** One entity: its content, a picture of its relationships, and its version history. */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Spinner } from "../ui/form";
import { formatDateTime } from "../ui/format";
import { type EntityState, graphApi, type Neighbour, nameOf, type Version } from "./api";
import { NeighbourMap } from "./neighbour-map";

type Loaded = { entity: EntityState; neighbours: Neighbour[]; versions: Version[] };

/** Loads once; the page remounts it (a new `key`) when the graph changes live. */
export function EntityDetail({ id, onPick }: { id: string; onPick: (id: string) => void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    Promise.all([graphApi.entity(id), graphApi.neighbours(id), graphApi.history(id)])
      .then(([entity, around, history]) => {
        if (current) setLoaded({ entity, neighbours: around.neighbours, versions: history.items });
      })
      .catch((caught: unknown) => current && setError(describeError(caught)));
    return () => {
      current = false;
    };
  }, [id]);
  if (error) return <Alert kind="error">{error}</Alert>;
  if (!loaded) return <Spinner label="Loading entity…" />;
  const { entity, neighbours, versions } = loaded;
  return (
    <div className="stack" data-testid="graph-entity">
      <h2>
        {nameOf(entity)}{" "}
        <span className="muted small">
          {entity.type}
          {entity.deleted ? " · deleted" : ""}
        </span>
      </h2>
      <table className="table">
        <tbody>
          {Object.entries(entity.content ?? {}).map(([key, value]) => (
            <tr key={key}>
              <th>{key}</th>
              <td>{typeof value === "string" ? value : JSON.stringify(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <NeighbourMap center={nameOf(entity)} neighbours={neighbours} onPick={onPick} />
      <h3>History</h3>
      <table className="table small">
        <thead>
          <tr>
            <th>When</th>
            <th>Source</th>
            <th>Device</th>
            <th>Parents</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} className={v.current ? "current" : undefined}>
              <td>
                {formatDateTime(v.created_at)}
                {v.current ? " (current)" : ""}
              </td>
              <td>{v.source_type}</td>
              <td>{v.device_id ?? "—"}</td>
              <td>{v.parents.length > 1 ? `${v.parents.length} (merge)` : v.parents.length ? "1" : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
