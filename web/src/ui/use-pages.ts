/**
 * usePages: a cursor-paginated list (`{items,next_cursor}`) with "load more".
 * Starts over from the first page whenever `loader` changes (wrap it in useCallback
 * with its filters as dependencies); `replace` updates one item in place.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Page } from "../api/types";

type Loader<T> = (cursor: string | null) => Promise<Page<T>>;

export function usePages<T extends { id: string }>(loader: Loader<T>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await loader(from);
        if (mine !== generation.current) return;
        setItems((previous) => (from && previous ? [...previous, ...page.items] : page.items));
        setCursor(page.next_cursor);
      } catch (caught) {
        if (mine === generation.current) setError(caught);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [loader],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => void load(cursor),
    reload: () => void load(null),
    replace: (item: T) => setItems((list) => list?.map((known) => (known.id === item.id ? item : known)) ?? null),
  };
}
