/**
 * The signed-in session's tokens, kept in localStorage so a reload or a second
 * tab stays signed in. Used by the API client (which rotates them) and by the
 * session context (which re-renders when they change, in this tab or another).
 */
import { isRecord } from "./errors";
import type { TokenPair } from "./types";

export type StoredSession = {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires, from `expires_in`. */
  accessExpiresAt: number;
  sessionId: string;
};

const STORAGE_KEY = "edgewise.session";
const listeners = new Set<() => void>();
let cached: StoredSession | null = readStored();
let endNotice: string | null = null;

/** Reads storage itself, not the cache: another tab may have rotated the tokens a moment ago. */
export function readStored(): StoredSession | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (
      isRecord(value) &&
      typeof value.accessToken === "string" &&
      typeof value.refreshToken === "string" &&
      typeof value.accessExpiresAt === "number" &&
      typeof value.sessionId === "string"
    ) {
      return {
        accessToken: value.accessToken,
        refreshToken: value.refreshToken,
        accessExpiresAt: value.accessExpiresAt,
        sessionId: value.sessionId,
      };
    }
  } catch {
    // Corrupt or unavailable storage counts as signed out.
  }
  return null;
}

export function getSession(): StoredSession | null {
  return cached;
}

export function saveTokens(tokens: TokenPair): StoredSession {
  const session: StoredSession = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    accessExpiresAt: Date.now() + tokens.expires_in * 1000,
    sessionId: tokens.session_id,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  update(session);
  return session;
}

/** Forgets the tokens; `notice` is shown once on the login page (e.g. why the session ended). */
export function clearSession(notice?: string) {
  localStorage.removeItem(STORAGE_KEY);
  endNotice = notice ?? null;
  update(null);
}

export function takeEndNotice(): string | null {
  const notice = endNotice;
  endNotice = null;
  return notice;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function update(next: StoredSession | null) {
  if (next?.refreshToken === cached?.refreshToken && next?.accessToken === cached?.accessToken) return;
  cached = next;
  for (const listener of listeners) listener();
}

// Another tab logged in, out, or rotated the tokens.
window.addEventListener("storage", (event) => {
  if (event.key === STORAGE_KEY || event.key === null) update(readStored());
});
