/**
 * The body of a cursor-paginated list from usePages: the load error if any, a spinner
 * on first load, an empty message, the items as the page renders them, and "Load more"
 * while more exist. Every list shows its error here, so none fails silently.
 */
import type { ReactNode } from "react";
import { describeError } from "../api/errors";
import { Alert, Button, Spinner } from "./form";
import type { usePages } from "./use-pages";

type Pages<T extends { id: string }> = ReturnType<typeof usePages<T>>;

export function PagedList<T extends { id: string }>(props: {
  pages: Pages<T>;
  loadingLabel: string;
  empty: string;
  moreTestId?: string;
  children: (items: T[]) => ReactNode;
}) {
  const { pages } = props;
  return (
    <>
      {pages.error ? <Alert kind="error">{describeError(pages.error)}</Alert> : null}
      {pages.items === null && pages.loading ? <Spinner label={props.loadingLabel} /> : null}
      {pages.items?.length === 0 ? <p className="empty">{props.empty}</p> : null}
      {pages.items?.length ? props.children(pages.items) : null}
      {pages.hasMore ? (
        <div className="card-footer">
          <Button variant="secondary" busy={pages.loading} onClick={pages.loadMore} data-testid={props.moreTestId}>
            Load more
          </Button>
        </div>
      ) : null}
    </>
  );
}
