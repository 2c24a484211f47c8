/** The usage calls: daily totals and the per-agent breakdown over a range of UTC days. */
import { api } from "../api/client";
import type { AgentUsageReport, UsageReport } from "./types";

export type Range = { from: string; to: string };

/** The last `days` UTC days, today included. */
export function lastDays(days: number, now = new Date()): Range {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export const usageApi = {
  daily: (range: Range) => api.get<UsageReport>("/usage", { query: range }),
  agents: (range: Range) => api.get<AgentUsageReport>("/usage/agents", { query: range }),
};
