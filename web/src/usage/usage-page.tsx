/**
 * /usage: what your agents cost. Totals for the range, daily tokens and cost
 * (charts), and the per-agent breakdown (chart and table). Days are UTC.
 */
import { useEffect, useMemo, useState } from "react";
import { describeError } from "../api/errors";
import { Alert, Spinner } from "../ui/form";
import { PageHeader } from "../ui/page-header";
import { lastDays, usageApi } from "./api";
import { AgentChart, CostChart, TokensChart } from "./charts";
import { formatDuration, formatTokens, formatUsd } from "./format";
import type { AgentUsageReport, UsageReport } from "./types";
import "./usage.css";

const RANGES = [7, 30, 90] as const;

type Loaded = { daily: UsageReport; agents: AgentUsageReport } | null;

function useUsage(days: number) {
  const [data, setData] = useState<Loaded>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const range = lastDays(days);
    setError(null);
    Promise.all([usageApi.daily(range), usageApi.agents(range)]).then(
      ([daily, agents]) => live && setData({ daily, agents }),
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
    };
  }, [days]);
  return { data, error };
}

export function UsagePage() {
  const [days, setDays] = useState<number>(30);
  const { data, error } = useUsage(days);
  const totals = data?.daily.totals;
  const stats = useMemo(
    () =>
      totals
        ? [
            ["Cost", formatUsd(totals.cost_usd)],
            ["Tokens", formatTokens(totals.input_tokens + totals.output_tokens)],
            ["Agent interactions", formatTokens(totals.agent_interactions)],
            ["Tool calls", formatTokens(totals.tool_calls)],
            ["API calls", formatTokens(totals.api_calls)],
          ]
        : [],
    [totals],
  );

  return (
    <>
      <PageHeader
        title="Usage"
        description="Tokens, cost and activity per day and per agent (UTC days). Budgets stop turns before they overspend."
        actions={
          <fieldset className="segmented">
            <legend className="sr-only">Range</legend>
            {RANGES.map((n) => (
              <button
                key={n}
                type="button"
                className={n === days ? "active" : ""}
                aria-pressed={n === days}
                onClick={() => setDays(n)}
              >
                {n} days
              </button>
            ))}
          </fieldset>
        }
      />
      {error ? <Alert kind="error">{describeError(error)}</Alert> : null}
      {!data && !error ? <Spinner label="Loading usage…" /> : null}
      {data ? (
        <>
          <div className="usage-stats" data-testid="usage-totals">
            {stats.map(([label, value]) => (
              <div key={label} className="card card-padded usage-stat">
                <span className="muted small">{label}</span>
                <strong>{value}</strong>
              </div>
            ))}
          </div>
          <div className="grid-2">
            <section className="card card-padded">
              <h3>Tokens per day</h3>
              <TokensChart report={data.daily} />
            </section>
            <section className="card card-padded">
              <h3>Cost per day</h3>
              <CostChart report={data.daily} />
            </section>
          </div>
          <AgentSection report={data.agents} />
        </>
      ) : null}
    </>
  );
}

function AgentSection({ report }: { report: AgentUsageReport }) {
  return (
    <section className="card">
      <div className="card-header">
        <h2>By agent</h2>
      </div>
      {report.items.length === 0 ? (
        <p className="empty">No agent activity in this range.</p>
      ) : (
        <>
          <div className="card-padded">
            <AgentChart agents={report.items} />
          </div>
          <div className="table-wrap">
            <table className="table" data-testid="usage-agents">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Messages</th>
                  <th>Sessions</th>
                  <th>Tokens (in / out)</th>
                  <th>Cost</th>
                  <th>Avg response</th>
                </tr>
              </thead>
              <tbody>
                {report.items.map((agent) => (
                  <tr key={agent.agent_id}>
                    <td className="strong">{agent.name}</td>
                    <td>{formatTokens(agent.messages)}</td>
                    <td>{formatTokens(agent.sessions)}</td>
                    <td>
                      {formatTokens(agent.input_tokens)} / {formatTokens(agent.output_tokens)}
                    </td>
                    <td>{formatUsd(agent.cost_usd)}</td>
                    <td>{agent.avg_response_ms === null ? "—" : formatDuration(agent.avg_response_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
