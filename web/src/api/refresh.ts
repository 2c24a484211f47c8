/**
 * Trading the refresh token for a new pair. Refresh tokens rotate and reusing a
 * spent one ends the whole session, so refreshes are serialised: one at a time in
 * this tab (a shared promise) and across tabs (a Web Lock), and a tab that finds
 * the tokens already rotated by another simply uses the new ones.
 */
import { type ApiError, errorFromResponse, networkError } from "./errors";
import { clearSession, readStored, type StoredSession, saveTokens } from "./session-store";
import type { TokenPair } from "./types";

let inflight: Promise<StoredSession | null> | null = null;

/** New tokens for `stale`, or null when the session is over (the store is then cleared). */
export function refreshSession(stale: StoredSession): Promise<StoredSession | null> {
  inflight ??= withLock(() => rotate(stale)).finally(() => {
    inflight = null;
  });
  return inflight;
}

async function withLock<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks exist in secure contexts (https, localhost); elsewhere one tab's promise is the best we have.
  if (!("locks" in navigator)) return task();
  return navigator.locks.request("edgewise-token-refresh", task);
}

async function rotate(stale: StoredSession): Promise<StoredSession | null> {
  const latest = readStored();
  if (!latest) {
    clearSession();
    return null;
  }
  if (latest.refreshToken !== stale.refreshToken) return saveFromOtherTab(latest);
  let res: Response;
  try {
    res = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: latest.refreshToken }),
    });
  } catch (cause) {
    throw networkError(cause);
  }
  if (res.ok) return saveTokens((await res.json()) as TokenPair);
  const error = await errorFromResponse(res);
  if (res.status === 401 || res.status === 403) {
    clearSession(sessionEndMessage(error));
    return null;
  }
  throw error;
}

function saveFromOtherTab(latest: StoredSession): StoredSession {
  return saveTokens({
    access_token: latest.accessToken,
    refresh_token: latest.refreshToken,
    token_type: "Bearer",
    expires_in: Math.max(0, Math.round((latest.accessExpiresAt - Date.now()) / 1000)),
    session_id: latest.sessionId,
  });
}

function sessionEndMessage(error: ApiError): string {
  if (error.code === "refresh_token_reused")
    return "Your session was ended for safety (a sign-in token was reused). Log in again.";
  if (error.code === "account_disabled") return error.message;
  return "Your session has ended. Log in again.";
}
