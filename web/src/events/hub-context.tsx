/**
 * One live hub connection per signed-in session, opened by the console shell so
 * the status shows on every page and no event is lost while the user is
 * elsewhere in the console. Pages read it with useHub().
 */
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { api } from "../api/client";
import type { HubTicket } from "../api/types";
import { HubClient, type HubSnapshot } from "./hub-client";

type HubContextValue = { client: HubClient; snapshot: HubSnapshot };

const HubContext = createContext<HubContextValue | null>(null);

const requestTicket = () => api.post<HubTicket>("/ws/ticket");

/** Mount it with `key={sessionId}`: a new session (another login, another user) starts an empty feed. */
export function HubProvider({ children }: { children: ReactNode }) {
  const [client] = useState(() => new HubClient(requestTicket));
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const value = useMemo(() => ({ client, snapshot }), [client, snapshot]);
  return <HubContext.Provider value={value}>{children}</HubContext.Provider>;
}

export function useHub(): HubContextValue {
  const value = useContext(HubContext);
  if (!value) throw new Error("useHub() must be used inside <HubProvider>");
  return value;
}
