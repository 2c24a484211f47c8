/**
 * Follows the whole graph over /api/v1/graph/ws and calls `onChange` (debounced)
 * when anything changes; reconnects with backoff and a fresh ticket.
 */
import { useEffect, useRef, useState } from "react";
import { LiveServerMessage } from "../../../shared/graph-sync/live";
import { parseJsonFrame } from "../../../shared/parse-frame";
import { graphApi } from "./api";

export type LiveState = "connecting" | "live" | "offline";

export function useLiveGraph(onChange: () => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    let stopped = false;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let debounce: number | undefined;
    let retry: number | undefined;
    const connect = async () => {
      try {
        const { url } = await graphApi.ticket();
        if (stopped) return;
        socket = new WebSocket(`${url}&all=true`);
        socket.onopen = () => {
          attempt = 0;
          setState("live");
        };
        socket.onmessage = (message) => {
          const frame = parseJsonFrame(LiveServerMessage, message.data);
          if (frame?.type !== "change") return;
          window.clearTimeout(debounce);
          debounce = window.setTimeout(() => callback.current(), 150);
        };
        socket.onclose = () => schedule();
      } catch {
        schedule();
      }
    };
    const schedule = () => {
      if (stopped) return;
      setState("offline");
      retry = window.setTimeout(() => void connect(), Math.min(15_000, 500 * 2 ** attempt++));
    };
    void connect();
    return () => {
      stopped = true;
      window.clearTimeout(debounce);
      window.clearTimeout(retry);
      socket?.close(1000, "page closed");
    };
  }, []);
  return state;
}
