/** The graph calls of the console (see /api/v1/graph in the API reference). */
import type { z } from "zod";
import type { ConflictState, EntityState, RelationshipState } from "../../../shared/graph-sync/protocol";
import type { NeighboursResponse, VersionEntry } from "../../../worker/features/graph/schemas";
import { api } from "../api/client";
import type { Page } from "../api/types";

export type { ConflictState, EntityState, RelationshipState };
export type Neighbour = z.infer<typeof NeighboursResponse>["neighbours"][number];
export type Version = z.infer<typeof VersionEntry>;

export const graphApi = {
  list: (query: { q?: string; type?: string; cursor: string | null }) =>
    api.get<Page<EntityState>>("/graph/entities", { query: { limit: 50, ...query, q: query.q || undefined } }),
  entity: (id: string) => api.get<EntityState>(`/graph/entities/${encodeURIComponent(id)}`),
  history: (id: string) =>
    api.get<Page<Version>>(`/graph/entities/${encodeURIComponent(id)}/history`, { query: { limit: 20 } }),
  neighbours: (id: string) =>
    api.get<{ neighbours: Neighbour[] }>(`/graph/entities/${encodeURIComponent(id)}/neighbours`, {
      query: { limit: 50 },
    }),
  conflicts: () => api.get<Page<ConflictState>>("/graph/conflicts", { query: { status: "pending", limit: 50 } }),
  resolve: (id: string, choose: "local" | "remote") =>
    api.post<{ entity: EntityState }>(`/graph/conflicts/${encodeURIComponent(id)}/resolve`, { choose }),
  ticket: () => api.post<{ url: string }>("/graph/ws/ticket"),
};

export const nameOf = (entity: EntityState | undefined) => String(entity?.content?.name ?? entity?.id ?? "");
