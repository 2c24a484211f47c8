/**
 * A tiny history-API router: `useLocation()` re-renders on navigation,
 * `navigate()` pushes or replaces, `<Link>` is an anchor that navigates without
 * a reload, `matchPath()` reads ids out of paths like `/tasks/:id`. app.tsx maps paths to pages.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useSyncExternalStore } from "react";

const NAVIGATE_EVENT = "edgewise:navigate";

export type Location = { path: string; query: URLSearchParams };

function subscribe(listener: () => void) {
  window.addEventListener("popstate", listener);
  window.addEventListener(NAVIGATE_EVENT, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(NAVIGATE_EVENT, listener);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname.replace(/\/+$/, "") || "/", query: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === currentHref()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The `:name` segments of `path` when it fits `pattern` (e.g. `/tasks/:id`), else null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] ?? "";
    if (!part.startsWith(":")) {
      if (part !== value) return null;
      continue;
    }
    if (!value) return null;
    try {
      params[part.slice(1)] = decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return params;
}

/** Same-origin paths route inside the app; anything else (another origin, /api/docs) is a normal link. */
export function isAppHref(href: string): boolean {
  const url = new URL(href, window.location.origin);
  return url.origin === window.location.origin && !url.pathname.startsWith("/api/");
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    // Let the browser handle new-tab clicks (modifier keys, middle button).
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (!isAppHref(to)) return;
    event.preventDefault();
    const url = new URL(to, window.location.origin);
    navigate(url.pathname + url.search);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/** Renders nothing and moves to `to` (used for guarded routes). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
