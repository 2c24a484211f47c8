/** The usage page's charts (recharts): daily tokens, daily cost, and cost per agent. */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatTokens, formatUsd } from "./format";
import type { AgentUsage, UsageReport } from "./types";

const ACCENT = "#4f46e5";
const SOFT = "#a5b4fc";
const COST = "#079455";
const HEIGHT = 240;

const shortDay = (day: string) => day.slice(5);
const asNumber = (value: unknown) => (typeof value === "number" ? value : Number(value));

export function TokensChart({ report }: { report: UsageReport }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={report.days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} fontSize={12} />
        <YAxis tickFormatter={(v) => formatTokens(asNumber(v), true)} fontSize={12} width={56} />
        <Tooltip formatter={(value) => formatTokens(asNumber(value))} />
        <Legend />
        <Bar dataKey="input_tokens" name="Input tokens" stackId="tokens" fill={SOFT} />
        <Bar dataKey="output_tokens" name="Output tokens" stackId="tokens" fill={ACCENT} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function CostChart({ report }: { report: UsageReport }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <AreaChart data={report.days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} fontSize={12} />
        <YAxis tickFormatter={(v) => formatUsd(asNumber(v))} fontSize={12} width={72} />
        <Tooltip formatter={(value) => formatUsd(asNumber(value))} />
        <Area type="monotone" dataKey="cost_usd" name="Cost (USD)" stroke={COST} fill={COST} fillOpacity={0.15} />
      </AreaChart>
    </ResponsiveContainer>
  );
}

export function AgentChart({ agents }: { agents: AgentUsage[] }) {
  const data = agents.slice(0, 10).map((agent) => ({ ...agent, tokens: agent.input_tokens + agent.output_tokens }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(140, data.length * 36 + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={(v) => formatTokens(asNumber(v), true)} fontSize={12} />
        <YAxis type="category" dataKey="name" width={140} fontSize={12} />
        <Tooltip formatter={(value) => formatTokens(asNumber(value))} />
        <Bar dataKey="tokens" name="Tokens" fill={ACCENT} />
      </BarChart>
    </ResponsiveContainer>
  );
}
