/** A picture of an entity's relationships: the entity in the middle, its neighbours around it. */
import { type Neighbour, nameOf } from "./api";

export function NeighbourMap({
  center,
  neighbours,
  onPick,
}: {
  center: string;
  neighbours: Neighbour[];
  onPick: (id: string) => void;
}) {
  const size = 320;
  const mid = size / 2;
  const radius = 120;
  if (!neighbours.length) return <p className="muted">No relationships yet.</p>;
  return (
    <svg viewBox={`0 0 ${size} ${size}`} className="graph-map" role="img" aria-label="Relationships">
      {neighbours.map((n, i) => {
        const angle = (2 * Math.PI * i) / neighbours.length - Math.PI / 2;
        const x = mid + radius * Math.cos(angle);
        const y = mid + radius * Math.sin(angle);
        return (
          <g key={n.relationship.id}>
            <line x1={mid} y1={mid} x2={x} y2={y} stroke="currentColor" strokeOpacity={0.35} />
            <text x={(mid + x) / 2} y={(mid + y) / 2} fontSize={9} textAnchor="middle" className="muted">
              {n.direction === "out" ? `${n.relationship.type} →` : `← ${n.relationship.type}`}
            </text>
            {/* biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it has the role and keys of one. */}
            <g
              role="button"
              tabIndex={0}
              aria-label={`Open ${nameOf(n.entity)}`}
              onClick={() => onPick(n.entity.id)}
              onKeyDown={(event) => (event.key === "Enter" || event.key === " ") && onPick(n.entity.id)}
              style={{ cursor: "pointer" }}
            >
              <circle cx={x} cy={y} r={6} />
              <text x={x} y={y + 18} fontSize={11} textAnchor="middle">
                {nameOf(n.entity).slice(0, 18)}
              </text>
            </g>
          </g>
        );
      })}
      <circle cx={mid} cy={mid} r={9} />
      <text x={mid} y={mid - 14} fontSize={12} fontWeight={600} textAnchor="middle">
        {center.slice(0, 22)}
      </text>
    </svg>
  );
}
