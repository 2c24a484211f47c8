/**
 * The signed-in user for the whole app: SessionProvider loads /me whenever the
 * stored tokens change (login here, logout in another tab, a session that ended)
 * and exposes login / logout; pages read it with useSession().
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from "react";
import { api } from "../api/client";
import { ApiError, describeError } from "../api/errors";
import { clearSession, getSession, saveTokens, subscribeSession } from "../api/session-store";
import type { Me } from "../api/types";
import { navigate } from "../ui/router";
import { authApi } from "./api";

type SessionState =
  | { status: "loading"; user: null }
  | { status: "signed-out"; user: null }
  | { status: "signed-in"; user: Me; sessionId: string }
  /** Signed in, but the account could not be loaded (offline, server trouble): worth a retry, not a logout. */
  | { status: "unavailable"; user: null; message: string };

type SessionContextValue = {
  state: SessionState;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  reloadUser: () => Promise<void>;
};

type Loaded = { sessionId: string; me: Me } | { sessionId: string; error: string };

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const stored = useSyncExternalStore(subscribeSession, getSession);
  const sessionId = stored?.sessionId ?? null;
  const [user, setUser] = useState<Loaded | null>(null);

  const loadUser = useCallback(async (forSession: string) => {
    try {
      setUser({ sessionId: forSession, me: await api.get<Me>("/me") });
    } catch (error) {
      // 401: the client has already cleared the session. 403: the account was deactivated.
      if (error instanceof ApiError && error.status === 403) clearSession(error.message);
      else if (!(error instanceof ApiError && error.status === 401)) {
        setUser({ sessionId: forSession, error: describeError(error) });
      }
    }
  }, []);

  useEffect(() => {
    if (sessionId) void loadUser(sessionId);
    else setUser(null);
  }, [sessionId, loadUser]);

  const login = useCallback(async (email: string, password: string) => {
    const result = await authApi.login({ email, password });
    saveTokens(result);
  }, []);

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } finally {
      // Forget the tokens even if the server could not be told; they expire on their own.
      // Both in one tick, so the console renders the login page once, without a ?next= back to here.
      clearSession();
      navigate("/login", { replace: true });
    }
  }, []);

  const reloadUser = useCallback(async () => {
    if (!sessionId) return;
    setUser((current) => (current && "error" in current ? null : current));
    await loadUser(sessionId);
  }, [sessionId, loadUser]);

  const state: SessionState = useMemo(() => {
    if (!sessionId) return { status: "signed-out", user: null };
    if (user?.sessionId !== sessionId) return { status: "loading", user: null };
    if ("error" in user) return { status: "unavailable", user: null, message: user.error };
    return { status: "signed-in", user: user.me, sessionId };
  }, [sessionId, user]);

  const value = useMemo(() => ({ state, login, logout, reloadUser }), [state, login, logout, reloadUser]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession() must be used inside <SessionProvider>");
  return value;
}

/** The signed-in user; only for pages rendered behind the signed-in guard in app.tsx. */
export function useUser(): Me {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useUser() needs a signed-in session");
  return state.user;
}
