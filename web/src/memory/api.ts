/** The memory calls: list, search, add, edit, forget. */
import type { z } from "zod";
import type { CreateMemoryBody } from "../../../worker/features/memory/schemas";
import { api } from "../api/client";
import type { Memory, MemorySearch, Page } from "../api/types";

export type MemoryInput = z.input<typeof CreateMemoryBody>;

export const memoryApi = {
  list: (cursor: string | null, category: string) =>
    api.get<Page<Memory>>("/memories", { query: { limit: 20, cursor, category } }),
  search: (q: string, mode: string) => api.get<MemorySearch>("/memories/search", { query: { q, mode, limit: 10 } }),
  add: (input: MemoryInput) => api.post<Memory>("/memories", input),
  update: (id: string, input: MemoryInput) => api.patch<Memory>(`/memories/${encodeURIComponent(id)}`, input),
  remove: (id: string) => api.delete<Memory>(`/memories/${encodeURIComponent(id)}`),
};

/** "a, b ,c" → ["a", "b", "c"] */
export const parseTags = (text: string) => [
  ...new Set(
    text
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean),
  ),
];
