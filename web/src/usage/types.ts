/** Usage reports as the console reads them; they mirror worker/features/usage/schemas.ts. */

export type UsageCounts = {
  api_calls: number;
  agent_interactions: number;
  input_tokens: number;
  output_tokens: number;
  tool_calls: number;
  cost_usd: number;
};

export type UsageReport = { from: string; to: string; days: Array<UsageCounts & { day: string }>; totals: UsageCounts };

export type AgentUsage = {
  agent_id: string;
  name: string;
  messages: number;
  sessions: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  avg_response_ms: number | null;
};

export type AgentUsageReport = { from: string; to: string; items: AgentUsage[] };
