/**
 * useAction: runs a form's async submit and tracks busy / error, so pages only
 * say what to call and what to do with the result.
 */
import { useCallback, useState } from "react";
import { describeError } from "../api/errors";

export function useAction<Args extends unknown[], Result>(action: (...args: Args) => Promise<Result>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const run = useCallback(
    async (...args: Args): Promise<Result | undefined> => {
      setBusy(true);
      setError(null);
      setFailure(null);
      try {
        return await action(...args);
      } catch (caught) {
        setError(describeError(caught));
        setFailure(caught);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );

  return { run, busy, error, failure, clearError: () => setError(null) };
}
